using Microsoft.Extensions.Logging;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>The cluster layer's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(220, LogLevel.Warning, "Node {NodeId} is not ready after {Timeout}: not every member's mediator knows it yet; joins and group sends go ahead, and may miss nodes until it is")]
    public static partial void NotReady(ILogger logger, string nodeId, TimeSpan timeout);
}
