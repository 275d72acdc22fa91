using System.Diagnostics.Metrics;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Consumers.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ActorChat in an ASP.NET Core application.</summary>
public static class ActorChatServiceCollectionExtensions
{
    /// <summary>The name of the actor system <see cref="AddActorChat"/> starts.</summary>
    public const string ActorSystemName = "actorchat";

    /// <summary>
    /// Adds ActorChat with an Akka.NET actor system of its own, for an application that has no Akka setup yet: Akka.Hosting's
    /// <c>AddAkka("actorchat", …)</c> with <see cref="ActorChatAkkaConfigurationBuilderExtensions.WithActorChat"/>, plus
    /// <see cref="AddActorChatServices"/>. Use <paramref name="configureAkka"/> to add the application's own actors to the
    /// same system (<c>WithActors</c>, <c>ActorRegistry</c>) or more HOCON.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">Where the <c>ChannelLayer</c> and <c>Bridge</c> sections are read from; defaults when null.</param>
    /// <param name="configureAkka">More Akka.Hosting setup for the same system; runs before ActorChat's own.</param>
    public static IServiceCollection AddActorChat(
        this IServiceCollection services, IConfiguration? configuration = null, Action<AkkaConfigurationBuilder, IServiceProvider>? configureAkka = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddActorChatServices(configuration);
        services.AddAkka(ActorSystemName, (akka, provider) =>
        {
            configureAkka?.Invoke(akka, provider);
            akka.WithActorChat(provider);
        });
        return services;
    }

    /// <summary>
    /// Adds ActorChat's services without an actor system, for an application that calls Akka.Hosting's <c>AddAkka</c>
    /// itself: add <c>.WithActorChat(provider)</c> to that call. Registers the channel layer (in-memory unless an
    /// <see cref="IChannelLayer"/> is registered already), the WebSocket bridge and graceful shutdown. Options are bound
    /// from the <c>ChannelLayer</c> and <c>Bridge</c> sections of <paramref name="configuration"/> and validated at startup.
    /// Adds ASP.NET Core health checks tagged <see cref="ActorChatHealthChecks.Ready"/> (map them with <c>MapHealthChecks</c>).
    /// </summary>
    public static IServiceCollection AddActorChatServices(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var bridge = services.AddOptions<BridgeOptions>();
        var layer = services.AddOptions<ChannelLayerOptions>();
        if (configuration is not null)
        {
            bridge.Bind(configuration.GetSection(BridgeOptions.SectionName));
            layer.Bind(configuration.GetSection(ChannelLayerOptions.SectionName));
        }

        bridge.ValidateOnStart();
        layer.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BridgeOptions>, OptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelLayerOptions>, OptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<BridgeOptions>>((host, options) =>
        {
            var needed = options.Value.ShutdownTimeout + TimeSpan.FromSeconds(5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChannelLayer>(sp => new InMemoryChannelLayer(
            sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<IOptions<ChannelLayerOptions>>().Value,
            meterFactory: sp.GetService<IMeterFactory>(), time: sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<BridgeMetrics>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<ConsumerHost>();
        services.TryAddSingleton<GracefulShutdownService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GracefulShutdownService>(static provider => provider.GetRequiredService<GracefulShutdownService>()));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, WebSocketsStartupFilter>());
        AddHealthChecks(services);
        return services;
    }

    /// <summary>
    /// ASP.NET Core health checks, tagged <see cref="ActorChatHealthChecks.Ready"/>: the channel layer reaches its engine, and
    /// the node is not stopping. The actor system's liveness check comes with <c>WithActorChat</c>.
    /// </summary>
    private static void AddHealthChecks(IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(ChannelLayerHealthCheck)))
        {
            return; // added once; a second registration under the same name would fail every health request
        }

        services.AddSingleton<ChannelLayerHealthCheck>();
        services.AddSingleton<ShutdownHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<ChannelLayerHealthCheck>(ActorChatHealthChecks.ChannelLayer, tags: [ActorChatHealthChecks.Ready])
            .AddCheck<ShutdownHealthCheck>(ActorChatHealthChecks.Shutdown, tags: [ActorChatHealthChecks.Ready]);
    }

    /// <summary>Puts the WebSocket middleware first in the pipeline, so <c>MapConsumer</c> endpoints can upgrade.</summary>
    private sealed class WebSocketsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseWebSockets();
            next(app);
        };
    }
}
