using System.Reflection;
using ActorChat.ChannelLayer;
using ActorChat.Consumers;
using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps consumers onto ASP.NET Core endpoint routing.</summary>
public static class ConsumerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <typeparamref name="TConsumer"/> at <paramref name="pattern"/>, such as <c>/ws/chat/{room}/</c>: each
    /// WebSocket connection gets its own consumer actor, built with constructor injection. The result composes
    /// like any endpoint (<c>RequireAuthorization()</c>, rate limiting), and those run before any actor starts.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddActorChat</c> was not called, or a handler is declared wrongly.</exception>
    public static IEndpointConventionBuilder MapConsumer<TConsumer>(this IEndpointRouteBuilder endpoints, string pattern)
        where TConsumer : WebSocketConsumer
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var host = endpoints.ServiceProvider.GetService<ConsumerHost>()
            ?? throw new InvalidOperationException($"MapConsumer<{typeof(TConsumer).Name}> needs the ActorChat services: call builder.Services.AddActorChat(builder.Configuration) first.");
        HandlerTable.For(typeof(TConsumer)); // a wrongly declared handler fails here, at startup
        var services = endpoints.ServiceProvider;
        var create = ActivatorUtilities.CreateFactory(typeof(TConsumer), Type.EmptyTypes);
        var props = ActorFactory.Props(() => (TConsumer)create(services, null));
        var name = typeof(TConsumer).Name;
        return endpoints.Map(pattern, context => host.HandleAsync(context, props, pattern, name))
            .WithDisplayName($"ActorChat consumer {name} at {pattern}");
    }

    /// <summary>Serves <typeparamref name="TConsumer"/> at the pattern of its <see cref="ConsumerRouteAttribute"/>.</summary>
    /// <exception cref="InvalidOperationException">The consumer has no <see cref="ConsumerRouteAttribute"/>, or see the other overload.</exception>
    public static IEndpointConventionBuilder MapConsumer<TConsumer>(this IEndpointRouteBuilder endpoints)
        where TConsumer : WebSocketConsumer
    {
        var pattern = typeof(TConsumer).GetCustomAttribute<ConsumerRouteAttribute>()?.Pattern
            ?? throw new InvalidOperationException($"{typeof(TConsumer).Name} has no [ConsumerRoute(\"/ws/…/\")]: add one, or call MapConsumer<{typeof(TConsumer).Name}>(pattern).");
        return endpoints.MapConsumer<TConsumer>(pattern);
    }
}
