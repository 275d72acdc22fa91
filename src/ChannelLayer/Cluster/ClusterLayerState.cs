namespace ActorChat.ChannelLayer.Cluster;

/// <summary>What the layer and its relay share: whether the node is ready, and counts of the messages that crossed nodes.</summary>
internal sealed class ClusterLayerState
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _messagesSent;
    private long _messagesReceived;

    /// <summary>Completes when the node is Up and known both ways by every other member's mediator.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Messages this node handed to the mediator (a batch of group messages) or a peer (a direct send).</summary>
    public long MessagesSent => Volatile.Read(ref _messagesSent);

    /// <summary>Messages other nodes sent here.</summary>
    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    public void BecameReady() => _ready.TrySetResult();

    public void MessageSent() => Interlocked.Increment(ref _messagesSent);

    public void MessageReceived() => Interlocked.Increment(ref _messagesReceived);
}
