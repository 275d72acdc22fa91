namespace ActorChat.ChannelLayer.Cluster;

/// <summary>What the layer and its relay share: whether the node is ready, and counts of the frames that crossed nodes.</summary>
internal sealed class ClusterLayerState
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _framesSent;
    private long _framesReceived;

    /// <summary>Completes when the node is Up and known both ways by every other member's mediator.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Frames this node handed to the mediator or a peer (a group send is one, whatever the number of nodes).</summary>
    public long FramesSent => Volatile.Read(ref _framesSent);

    /// <summary>Frames other nodes sent here.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    public void BecameReady() => _ready.TrySetResult();

    public void FrameSent() => Interlocked.Increment(ref _framesSent);

    public void FrameReceived() => Interlocked.Increment(ref _framesReceived);
}
