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
/// <remarks>
/// Akka.Remote discards a message larger than its maximum frame size, with everything batched in it, so a batch stops
/// at <see cref="BatchBytes"/> (a frame bigger than that goes alone) and a frame that cannot fit in a remote message at
/// all is refused here, counted and logged, instead of taking others with it.
/// </remarks>
/// <param name="mediator">The pub-sub mediator that carries each batch to every other node.</param>
/// <param name="relayPath">The path of every node's relay, which receives the batches.</param>
/// <param name="state">Counts the remote messages sent.</param>
/// <param name="maxRemoteBytes">The largest frame this node's remoting sends (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>).</param>
/// <param name="tooLarge">Told of a frame that no remote message can carry, with its estimated size.</param>
internal sealed class ClusterOutbox(IActorRef mediator, string relayPath, ClusterLayerState state, long maxRemoteBytes, Action<GroupFrame, long> tooLarge)
    : IThreadPoolWorkItem
{
    /// <summary>The most frames in one batch.</summary>
    private const int MaxFrames = 256;

    /// <summary>Room left in a remote message for its envelope: the recipient's path, the sender, the manifest.</summary>
    private const int EnvelopeBytes = 4 * 1024;

    /// <summary>The largest frame a remote message can carry.</summary>
    private readonly long _largestFrame = maxRemoteBytes - EnvelopeBytes;

    private readonly ConcurrentQueue<GroupFrame> _frames = new();
    private GroupFrame? _carried; // taken from the queue but over the last batch's bytes; only the one flush touches it
    private int _scheduled;

    /// <summary>A batch grows to this many bytes at most (a single frame may be larger, up to the remote frame size).</summary>
    private long BatchBytes => Math.Min(128 * 1024, _largestFrame);

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
            long bytes = 0;
            var cut = false;
            while (batch.Count < MaxFrames && TakeNext(out var frame))
            {
                var size = SizeOf(frame);
                if (size > _largestFrame)
                {
                    tooLarge(frame, size);
                    continue;
                }

                if (batch.Count > 0 && bytes + size > BatchBytes)
                {
                    _carried = frame; // the first of the next batch
                    cut = true;
                    break;
                }

                batch.Add(frame);
                bytes += size;
            }

            if (batch.Count > 0)
            {
                mediator.Tell(new SendToAll(relayPath, new GroupBatch([.. batch]), excludeSelf: true), ActorRefs.NoSender);
                state.MessageSent();
            }

            if (cut || (batch.Count == MaxFrames && !_frames.IsEmpty))
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

    /// <summary>The frame a full batch left behind, else the queue's next. (A peek would freeze the queue's segment for enqueues.)</summary>
    private bool TakeNext(out GroupFrame frame)
    {
        if (_carried is { } carried)
        {
            _carried = null;
            frame = carried;
            return true;
        }

        return _frames.TryDequeue(out frame!);
    }

    /// <summary>The frame's size in a <see cref="GroupBatch"/>, at most: its payload, and its names at 3 UTF-8 bytes a character.</summary>
    internal static long SizeOf(GroupFrame frame) => frame.Payload.Length + (3L * (frame.Group.Length + frame.Type.Length)) + 16;
}
