using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>The bridge's log messages, source-generated, with stable event ids.</summary>
internal static partial class BridgeLog
{
    [LoggerMessage(100, LogLevel.Information, "WebSocket {ConnectionId} opened on {Route} ({Consumer})")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId, string route, string consumer);

    [LoggerMessage(101, LogLevel.Information, "WebSocket {ConnectionId} on {Route} closed with {CloseCode}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, string route, int closeCode);

    [LoggerMessage(102, LogLevel.Information, "Handshake on {Route} refused with {StatusCode}: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string route, int statusCode, string reason);

    [LoggerMessage(103, LogLevel.Warning, "WebSocket {ConnectionId} on {Route}: the client reads too slowly ({Capacity} frames queued); closing with 1013")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, string route, int capacity);

    [LoggerMessage(104, LogLevel.Information, "WebSocket {ConnectionId} on {Route}: message over {Limit} bytes; closing with 1009 (raise Bridge:MaxMessageSize to allow it)")]
    public static partial void MessageTooBig(ILogger logger, long connectionId, string route, int limit);

    [LoggerMessage(105, LogLevel.Error, "WebSocket {ConnectionId} on {Route}: the consumer {Consumer} stopped while the connection was open (its failure is logged by Akka with the exception); closing with 1011")]
    public static partial void ConsumerFailed(ILogger logger, long connectionId, string route, string consumer);

    [LoggerMessage(106, LogLevel.Information, "Shutdown: closing {Count} WebSocket connections with 1001")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(107, LogLevel.Warning, "Shutdown: {Count} connections still open after {Timeout}; dropping them")]
    public static partial void ShutdownTimedOut(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(108, LogLevel.Warning, "The actor system is stopping on its own ({Reason}: the cluster downed or removed this node); closing WebSocket connections with 1001, then the node stops")]
    public static partial void AkkaStopping(ILogger logger, string reason);
}
