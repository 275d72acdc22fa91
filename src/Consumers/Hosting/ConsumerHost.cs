using ActorChat.Actors;
using ActorChat.ChannelLayer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The node's entry for WebSocket requests: checks the request, starts one consumer actor per
/// connection under the consumer supervisor, and runs a <see cref="ConnectionBridge"/> for it.
/// </summary>
internal sealed class ConsumerHost
{
    private readonly IActorRef _supervisor;
    private readonly IChannelLayer _layer;
    private readonly BridgeOptions _options;
    private readonly OriginValidator _origins;
    private readonly ConnectionRegistry _registry;
    private readonly BridgeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _askTimeout;

    public ConsumerHost(ActorSystem system, IChannelLayer layer, IOptions<BridgeOptions> options, ConnectionRegistry registry, BridgeMetrics metrics, ILoggerFactory loggers)
    {
        _layer = layer;
        _options = options.Value;
        _origins = new OriginValidator(_options);
        _registry = registry;
        _metrics = metrics;
        _logger = loggers.CreateLogger("ActorChat.Consumers.Bridge");
        _askTimeout = system.Options.DefaultAskTimeout;
        _supervisor = system.ActorOf(Props.Create<ConsumerSupervisor>(), "consumers");
    }

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
            Refuse(context, route, StatusCodes.Status503ServiceUnavailable, "the node is shutting down");
            return;
        }

        if (!_origins.IsAllowed(context.Request, out var origin))
        {
            Refuse(context, route, StatusCodes.Status403Forbidden, $"origin '{origin}' is not allowed (Bridge:AllowedOrigins)");
            return;
        }

        var bridge = new ConnectionBridge(context, _options, _metrics, _registry, _logger, route, consumerName);
        var consumer = await _supervisor.Ask<IActorRef>(new SpawnConsumer(consumerProps), _askTimeout, context.RequestAborted).ConfigureAwait(false);
        consumer.Tell(new ConnectEvent(Scope.FromHttpContext(context), bridge, _layer));
        await bridge.RunAsync(consumer).ConfigureAwait(false);
    }

    private void Refuse(HttpContext context, string route, int status, string reason)
    {
        _metrics.Refused();
        BridgeLog.HandshakeRefused(_logger, route, status, reason);
        context.Response.StatusCode = status;
    }
}
