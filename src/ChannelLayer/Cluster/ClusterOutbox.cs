using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// A node's outgoing group messages. Senders queue their frames here; one flush at a time takes what is waiting and sends
/// it to every other node as one <see cref="GroupBatch"/> through the mediator. Under load a flush carries many frames,
/// so a remote message (its envelope, its serialization, its trip through Akka.Remote) is paid once for all of them; with
/// light traffic a flush carries one. One queue and one flush at a time keep every sender's order.
/// </summary>
internal sealed class ClusterOutbox(IActorRef mediator, string relayPath, ClusterLayerState state) : IThreadPoolWorkItem
{
    // A remote message stays well under Akka.Remote's default maximum frame size (128 KB) with frames of chat size.
    private const int MaxFrames = 256;

    private readonly ConcurrentQueue<GroupFrame> _frames = new();
    private int _scheduled;

    public void Send(GroupFrame frame)
    {
        _frames.Enqueue(frame);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            // The back of the global queue: frames that work already queued is about to send go out in the same flush.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        while (true)
        {
            var batch = new List<GroupFrame>(Math.Min(MaxFrames, Math.Max(1, _frames.Count)));
            while (batch.Count < MaxFrames && _frames.TryDequeue(out var frame))
            {
                batch.Add(frame);
            }

            if (batch.Count > 0)
            {
                mediator.Tell(new SendToAll(relayPath, new GroupBatch([.. batch]), excludeSelf: true), ActorRefs.NoSender);
                state.MessageSent();
            }

            if (!_frames.IsEmpty && batch.Count == MaxFrames)
            {
                continue; // more than one batch was waiting
            }

            Volatile.Write(ref _scheduled, 0);
            if (_frames.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return; // nothing left, or a sender already scheduled the next flush
            }
        }
    }
}
