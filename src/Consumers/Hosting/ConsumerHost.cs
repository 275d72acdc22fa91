using ActorChat.ChannelLayer;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The node's entry for WebSocket requests: checks the request, starts one consumer actor per connection through
/// the <see cref="ConsumerLauncher"/>, and runs a <see cref="ConnectionBridge"/> for it.
/// </summary>
internal sealed class ConsumerHost
{
    private readonly IServiceProvider _services;
    private readonly BridgeOptions _options;
    private readonly OriginValidator _origins;
    private readonly ConnectionRegistry _registry;
    private readonly BridgeMetrics _metrics;
    private readonly ILogger _logger;
    private ConsumerLauncher? _launcher;

    public ConsumerHost(IServiceProvider services, IOptions<BridgeOptions> options, ConnectionRegistry registry, BridgeMetrics metrics, ILoggerFactory loggers)
    {
        _services = services;
        _options = options.Value;
        _origins = new OriginValidator(_options);
        _registry = registry;
        _metrics = metrics;
        _logger = loggers.CreateLogger("ActorChat.Consumers.Bridge");
    }

    /// <summary>
    /// The launcher, made on the first connection: by then the host has started the actor system (Akka.Hosting creates it
    /// when first resolved, and mapping endpoints must not be what starts it).
    /// </summary>
    private ConsumerLauncher Launcher => _launcher ??= CreateLauncher();

    public async Task HandleAsync(HttpContext context, Props consumerProps, string route, string consumerName)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"{route} is a WebSocket endpoint; connect with a WebSocket client.").ConfigureAwait(false);
            return;
        }

        if (_registry.IsStopping)
        {
            HandshakeRefusal.Refuse(context, _metrics, _logger, route, StatusCodes.Status503ServiceUnavailable, "the node is shutting down");
            return;
        }

        if (!_origins.IsAllowed(context.Request, out var origin))
        {
            HandshakeRefusal.Refuse(context, _metrics, _logger, route, StatusCodes.Status403Forbidden, $"origin '{origin}' is not allowed (Bridge:AllowedOrigins)");
            return;
        }

        var bridge = new ConnectionBridge(context, _options, _metrics, _registry, _logger, route, consumerName);
        var consumer = await Launcher.LaunchAsync(consumerProps, Scope.FromHttpContext(context), bridge, context.RequestAborted).ConfigureAwait(false);
        await bridge.RunAsync(consumer).ConfigureAwait(false);
    }

    private ConsumerLauncher CreateLauncher()
    {
        var system = _services.GetRequiredService<ActorSystem>();
        return new ConsumerLauncher(ConsumerSupervisors.For(system), _services.GetRequiredService<IChannelLayer>(), AskTimeouts.For(system));
    }
}
