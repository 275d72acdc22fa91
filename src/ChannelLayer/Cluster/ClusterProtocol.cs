using Akka.Actor;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// The messages that cross nodes in the cluster layer. Each has a short manifest in <see cref="ClusterMessageSerializer"/>;
/// none falls back to Akka's default serializer. Message fields travel as the bytes the sender encoded (<see cref="GroupFrame.Payload"/>).
/// </summary>
internal interface IClusterMessage;

/// <summary>One group message, as it travels inside a <see cref="GroupBatch"/>.</summary>
/// <param name="Group">The group.</param>
/// <param name="Type">The message type.</param>
/// <param name="Payload">The message's fields, the sender's one encoding.</param>
internal sealed record GroupFrame(string Group, string Type, byte[] Payload);

/// <summary>
/// Group messages for every other node, in the order this node's senders sent them, sent once per node through the
/// pub-sub mediator's <c>SendToAll</c>: as many as were waiting when the node's outbox flushed (one, when traffic is light).
/// </summary>
internal sealed record GroupBatch(GroupFrame[] Frames) : IClusterMessage
{
    /// <summary>
    /// The serialized batch, made by the first recipient's serialization and reused by the others: Akka.Remote serializes a
    /// message once per recipient node, and every node gets the same bytes.
    /// </summary>
    internal byte[]? Serialized { get; set; }
}

/// <summary>A send to one process-local channel of the node it is sent to.</summary>
internal sealed record DirectFrame(string Channel, string Type, byte[] Payload) : IClusterMessage;

/// <summary>
/// A starting node's greeting, sent to every other node through the mediator: a node that gets it knows the sender's
/// node id and relay, and answers with <see cref="HelloBack"/> the same way.
/// </summary>
internal sealed record Hello(string NodeId, IActorRef Relay) : IClusterMessage;

/// <summary>
/// The answer to <see cref="Hello"/>, sent through the mediator to every other node and kept only by <see cref="To"/>:
/// when it arrives, both mediators have the other's registration, so group sends reach both ways.
/// </summary>
internal sealed record HelloBack(string NodeId, IActorRef Relay, string To) : IClusterMessage;

/// <summary>Asks a node for its local members of <see cref="Group"/>; answered with <see cref="LocalMembers"/>.</summary>
internal sealed record GetLocalMembers(string Group) : IClusterMessage;

/// <summary>A node's members of a group.</summary>
internal sealed record LocalMembers(string[] Channels) : IClusterMessage;

/// <summary>Puts a message on a worker channel's queue; answered with <see cref="Enqueued"/>.</summary>
internal sealed record Enqueue(string Channel, string Type, byte[] Payload) : IClusterMessage;

/// <summary>
/// Whether <see cref="Enqueue"/> found room; <see cref="Capacity"/> is the channel's capacity, and <see cref="Expired"/> the
/// messages that expired unreceived meanwhile (counted by the node that asked).
/// </summary>
internal sealed record Enqueued(bool Accepted, int Capacity, int Expired) : IClusterMessage;

/// <summary>Waits for the next message of a worker channel; answered with <see cref="Dequeued"/> when there is one.</summary>
internal sealed record Dequeue(string Channel, long Ticket) : IClusterMessage;

/// <summary>A message of a worker channel, for the receiver that asked with <see cref="Ticket"/>; <see cref="Expired"/> as in <see cref="Enqueued"/>.</summary>
internal sealed record Dequeued(string Channel, long Ticket, string Type, byte[] Payload, int Expired) : IClusterMessage;

/// <summary>The receiver with <see cref="Ticket"/> stopped waiting.</summary>
internal sealed record CancelDequeue(string Channel, long Ticket) : IClusterMessage;

/// <summary>A message its receiver no longer wanted, back to the front of its queue.</summary>
internal sealed record Requeue(string Channel, string Type, byte[] Payload) : IClusterMessage;

/// <summary>Drops every queued worker message; answered with <see cref="QueuesFlushed"/>.</summary>
internal sealed record FlushQueues : IClusterMessage
{
    public static readonly FlushQueues Instance = new();
}

/// <summary>The answer to <see cref="FlushQueues"/>.</summary>
internal sealed record QueuesFlushed : IClusterMessage
{
    public static readonly QueuesFlushed Instance = new();
}
