using ActorChat.ChannelLayer;
using ActorChat.Consumers;
using ActorChat.Consumers.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Akka.Hosting;

/// <summary>Adds ActorChat to an Akka.Hosting actor system.</summary>
public static class ActorChatAkkaConfigurationBuilderExtensions
{
    /// <summary>
    /// Runs ActorChat in this actor system: when the host starts, the consumer supervisor (the parent of every
    /// connection's consumer) is started and registered in the <see cref="ActorRegistry"/>, and the channel layer's
    /// mediator starts with the layer. Akka's log events go to <see cref="ILogger"/>; see
    /// <see cref="AkkaLogLevel.For"/> for the level. The host, not Akka's own SIGTERM hook, runs CoordinatedShutdown, after the
    /// sockets have drained. Adds Akka.Hosting's actor-system liveness check (tag <see cref="ActorChatHealthChecks.Live"/>). Call <c>AddActorChatServices</c> too (or use <c>AddActorChat</c>, which does both).
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder from <c>AddAkka</c>.</param>
    /// <param name="services">The provider <c>AddAkka</c> hands its callback.</param>
    /// <exception cref="InvalidOperationException">ActorChat's services were not added.</exception>
    public static AkkaConfigurationBuilder WithActorChat(this AkkaConfigurationBuilder builder, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        _ = services.GetService<ActorChat.Consumers.Hosting.ConnectionRegistry>()
            ?? throw new InvalidOperationException("WithActorChat needs ActorChat's services: call services.AddActorChatServices(configuration) as well (AddActorChat does both).");
        var loggers = services.GetRequiredService<ILoggerFactory>();

        // The host decides when the system stops: after the sockets have drained (GracefulShutdownService), Akka.Hosting
        // runs CoordinatedShutdown. Akka's own SIGTERM hook would otherwise stop the system first, under the consumers
        // that still have to leave their groups. An application's own setting of this key wins.
        builder.AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Append);
        builder.ConfigureLoggers(logging =>
        {
            logging.LogLevel = AkkaLogLevel.For(services.GetService<IConfiguration>(), loggers);
            logging.ClearLoggers();
            logging.AddLoggerFactory(loggers);
        });
        builder.WithActorSystemLivenessCheck(); // tagged "liveness": the node's /healthz
        builder.WithActors((system, registry) =>
        {
            DrainBeforeAkkaStops(system, services.GetRequiredService<GracefulShutdownService>(), loggers);
            ConsumerSupervisors.For(system);
            services.GetRequiredService<IChannelLayer>(); // the layer starts its mediator with the host, not on the first connection
        });
        return builder;
    }

    /// <summary>
    /// When Akka stops the system on its own (the cluster downed this node, or it left), the sockets drain first, as on
    /// SIGTERM: 1001 once each consumer has left its groups, instead of consumers stopping under open connections. Then
    /// Akka.Hosting stops the host. On SIGTERM the host has drained already and this finds nothing to do.
    /// </summary>
    private static void DrainBeforeAkkaStops(ActorSystem system, GracefulShutdownService drain, ILoggerFactory loggers)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actorchat-drain-sockets", async () =>
        {
            if (shutdown.ShutdownReason is not CoordinatedShutdown.ClrExitReason)
            {
                BridgeLog.AkkaStopping(loggers.CreateLogger("ActorChat.Consumers.Bridge"), shutdown.ShutdownReason?.GetType().Name ?? "unknown");
            }

            await drain.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            return Done.Instance;
        });
    }
}
