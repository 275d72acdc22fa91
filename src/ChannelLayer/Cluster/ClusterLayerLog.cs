using Microsoft.Extensions.Logging;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>The cluster layer's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(220, LogLevel.Warning, "Node {NodeId} is not ready after {Timeout}: not every member's mediator knows it yet; joins and group sends go ahead, and may miss nodes until it is")]
    public static partial void NotReady(ILogger logger, string nodeId, TimeSpan timeout);

    [LoggerMessage(221, LogLevel.Error, "A {Type} message to group {Group} is about {Size} bytes, more than a remote message holds ({MaxRemoteBytes}, akka.remote.dot-netty.tcp.maximum-frame-size): this node's members got it, the other nodes' did not")]
    public static partial void GroupMessageTooLarge(ILogger logger, string group, string type, long size, long maxRemoteBytes);
}
