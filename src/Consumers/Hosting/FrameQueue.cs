using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// A connection's outgoing frames: many producers (the consumer, rooms relaying broadcasts), one writer.
/// Lock-free: producers enqueue and wake the writer only when it is idle, so a burst costs one wake-up, not one
/// lock and signal per frame. Bounded by a count: a full queue refuses the frame and the bridge closes the slow client.
/// </summary>
/// <remarks>
/// <para>Where the wake-up runs depends on the cores the process may use (<see cref="Environment.ProcessorCount"/>).</para>
/// <para>On one core it goes to the back of the thread pool's global queue: this queue is the work item (no allocation),
/// and the writer's continuation runs inside it. The writer then runs after the work already waiting, so the messages
/// that arrived meanwhile are fanned out first and leave in the same flush: 0.055 → 0.040 send syscalls per delivery
/// in a pinned 1,000-member room.</para>
/// <para>On several cores an idle worker would take that item at once, in parallel with the fan-out, and flush smaller
/// batches (unpinned, the large room fell 13–18%). There it is a task-style continuation on the producer's own queue, as
/// before. Either way a producer never runs the writer on its own stack. Measured in BENCHMARKS.md, "Thread handoffs".</para>
/// </remarks>
internal sealed class FrameQueue : IValueTaskSource<bool>, IThreadPoolWorkItem
{
    // Made at the first frame: a ConcurrentQueue allocates its first segment (32 slots, about 1.5 KB here) at once, and
    // a connection in a quiet room may never be sent anything (an idle node holds thousands of these).
    private ConcurrentQueue<OutgoingFrame>? _frames;
    private readonly int _capacity;
    private readonly bool _wakeAtBackOfQueue;
    private ManualResetValueTaskSourceCore<bool> _wakeUp;
    private int _count;
    private int _completed;
    private int _waiting;

    /// <summary>A queue of at most <paramref name="capacity"/> frames.</summary>
    /// <param name="capacity">The bound; a full queue refuses frames.</param>
    /// <param name="wakeAtBackOfQueue">Wake the writer from the back of the global queue (the default on one core) instead of the producer's own queue.</param>
    public FrameQueue(int capacity, bool? wakeAtBackOfQueue = null)
    {
        _capacity = capacity;
        _wakeAtBackOfQueue = wakeAtBackOfQueue ?? Environment.ProcessorCount == 1;
        _wakeUp = new ManualResetValueTaskSourceCore<bool> { RunContinuationsAsynchronously = !_wakeAtBackOfQueue };
    }

    /// <summary>True once <see cref="Complete"/> was called: the connection is ending and takes no frames.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Queues a frame; false when the queue is full or completed.</summary>
    public bool TryWrite(in OutgoingFrame frame)
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        (Volatile.Read(ref _frames) ?? Frames()).Enqueue(frame);
        WakeWriter();
        return true;
    }

    /// <summary>Takes the next frame, if any.</summary>
    public bool TryRead(out OutgoingFrame frame)
    {
        if (Volatile.Read(ref _frames) is { } frames && frames.TryDequeue(out frame))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        frame = default;
        return false;
    }

    /// <summary>Accepts no more frames; the writer drains what is queued, then <see cref="WaitToReadAsync"/> returns false.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref _completed, 1); // a full fence: the read of _waiting in WakeWriter must not move before this store
        WakeWriter();
    }

    /// <summary>True when frames may be waiting; false once completed and drained. One reader only.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        if (!IsEmpty)
        {
            return new ValueTask<bool>(true);
        }

        if (Volatile.Read(ref _completed) != 0)
        {
            return new ValueTask<bool>(false);
        }

        _wakeUp.Reset();
        // A full fence, not a volatile write: the re-check below must not be reordered before this store, or a producer
        // and this reader could each miss the other's write and the writer would sleep through a frame (or the close).
        Interlocked.Exchange(ref _waiting, 1);
        // A producer may have enqueued between the checks above and arming: look again before sleeping.
        if ((!IsEmpty || Volatile.Read(ref _completed) != 0) && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            return new ValueTask<bool>(true);
        }

        return new ValueTask<bool>(this, _wakeUp.Version);
    }

    private bool IsEmpty => Volatile.Read(ref _frames) is not { } frames || frames.IsEmpty;

    private ConcurrentQueue<OutgoingFrame> Frames()
    {
        var made = new ConcurrentQueue<OutgoingFrame>();
        return Interlocked.CompareExchange(ref _frames, made, null) ?? made; // two first producers: both use the winner
    }

    private void WakeWriter()
    {
        if (Volatile.Read(ref _waiting) == 1 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            if (_wakeAtBackOfQueue)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            else
            {
                _wakeUp.SetResult(true); // runs the writer's continuation asynchronously, on this thread's own queue
            }
        }
    }

    /// <summary>The wake-up itself: resumes the waiting writer here, on the pool thread that took this item.</summary>
    void IThreadPoolWorkItem.Execute() => _wakeUp.SetResult(true);

    bool IValueTaskSource<bool>.GetResult(short token) => _wakeUp.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wakeUp.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wakeUp.OnCompleted(continuation, state, token, flags);
}
