using System.Diagnostics.Metrics;
using ActorChat.Actors;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ActorChat in an ASP.NET Core application.</summary>
public static class ActorChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the actor system, the channel layer (in-memory unless an <see cref="IChannelLayer"/> is registered
    /// already), the WebSocket bridge and graceful shutdown. Options are read from the <c>ChannelLayer</c> and
    /// <c>Bridge</c> sections of <paramref name="configuration"/> and validated at startup.
    /// </summary>
    public static IServiceCollection AddActorChat(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var bridge = services.AddOptions<BridgeOptions>();
        var layer = services.AddOptions<ChannelLayerOptions>();
        if (configuration is not null)
        {
            bridge.Configure(o => ConfigBinder.Bind(configuration.GetSection(BridgeOptions.SectionName), o));
            layer.Configure(o => ConfigBinder.Bind(configuration.GetSection(ChannelLayerOptions.SectionName), o));
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

        services.AddOptions<SocketTransportOptions>().Configure<IOptions<BridgeOptions>>((sockets, options) =>
            sockets.UnsafePreferInlineScheduling = options.Value.InlineSocketCompletions);
        services.TryAddSingleton(sp => ActorSystem.Create("actorchat", new ActorSystemOptions { LoggerFactory = sp.GetRequiredService<ILoggerFactory>() }));
        services.TryAddSingleton<IChannelLayer>(sp => new InMemoryChannelLayer(
            sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<IOptions<ChannelLayerOptions>>().Value, meterFactory: sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<BridgeMetrics>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<ConsumerHost>();
        services.AddHostedService<GracefulShutdownService>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, WebSocketsStartupFilter>());
        return services;
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
