using System.Collections.Concurrent;

namespace ActorChat.Actors;

/// <summary>
/// An actor's queues and scheduling state. The mailbox is itself the thread-pool work item, so
/// scheduling an actor allocates nothing, and an idle actor holds no thread and no task.
/// </summary>
/// <remarks>
/// <para>Status is one int: <see cref="Idle"/>, <see cref="Scheduled"/> (a run is queued or running, and
/// whoever set the bit owns the actor) or <see cref="Closed"/> (the actor has stopped). It only changes
/// through compare-and-swap, so at most one run is ever active.</para>
/// <para>System messages sit in a lock-free stack and are drained before, and between, user messages.
/// User messages sit in a <see cref="ConcurrentQueue{T}"/> created on the first message, which keeps
/// actors that were never messaged small.</para>
/// </remarks>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Scheduled = 1;
    private const int Closed = 2;

    /// <summary>Marks a closed system queue: pushes fail once the head is this node.</summary>
    private static readonly SystemMessage ClosedMarker = new Terminate();

    private readonly ActorCell _cell;
    private readonly MailboxOptions _options;
    private ConcurrentQueue<Envelope>? _queue;
    private SystemMessage? _systemHead;
    private int _status;
    private int _count;

    public Mailbox(ActorCell cell, MailboxOptions options)
    {
        _cell = cell;
        _options = options;
    }

    public bool IsClosed => Volatile.Read(ref _status) == Closed;

    /// <summary>The number of user messages waiting (approximate while others enqueue).</summary>
    public int Count => _queue?.Count ?? 0;

    /// <summary>Queues a user message and schedules the actor; a stopped actor's or overflowing message becomes a dead letter.</summary>
    public void Post(in Envelope envelope)
    {
        if (IsClosed)
        {
            _cell.System.PublishDeadLetter(envelope, _cell.Self);
            return;
        }

        if (_options.IsBounded && !ReserveSlot(envelope))
        {
            return;
        }

        var queue = _queue ?? CreateQueue();
        queue.Enqueue(envelope);
        if (IsClosed)
        {
            // Lost a race with the actor stopping: whatever is left is dead, and whoever dequeues it says so.
            DrainToDeadLetters();
            return;
        }

        TrySchedule();
    }

    /// <summary>
    /// Queues a user message only if fewer than <paramref name="maxQueued"/> are waiting. The check is
    /// approximate under concurrent senders, which is what a channel capacity needs; nothing becomes a dead letter.
    /// </summary>
    public TellResult TryPost(in Envelope envelope, int maxQueued)
    {
        if (IsClosed)
        {
            return TellResult.Stopped;
        }

        if (_queue is { } queue && queue.Count >= maxQueued)
        {
            return TellResult.Full;
        }

        Post(envelope);
        return TellResult.Delivered;
    }

    /// <summary>Pushes a system message and schedules the actor. Returns false if the actor has stopped.</summary>
    public bool PostSystem(SystemMessage message)
    {
        while (true)
        {
            var head = Volatile.Read(ref _systemHead);
            if (ReferenceEquals(head, ClosedMarker))
            {
                return false;
            }

            message.Next = head;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _systemHead, message, head), head))
            {
                TrySchedule();
                return true;
            }
        }
    }

    /// <summary>Closes both queues for good and returns the system messages that were still waiting, oldest first.</summary>
    public SystemMessage? Close()
    {
        Volatile.Write(ref _status, Closed);
        var pending = Interlocked.Exchange(ref _systemHead, ClosedMarker);
        DrainToDeadLetters();
        return Reverse(pending);
    }

    /// <summary>Runs the actor after an awaited handler finished; the caller already owns the <see cref="Scheduled"/> bit.</summary>
    public void ResumeAfterAwait() => Schedule();

    void IThreadPoolWorkItem.Execute() => Run();

    private void Run()
    {
        var handedOff = false;
        try
        {
            if (IsClosed)
            {
                return;
            }

            ProcessSystemMessages();
            handedOff = ProcessUserMessages();
        }
        finally
        {
            if (!handedOff)
            {
                Interlocked.CompareExchange(ref _status, Idle, Scheduled);
                if (HasPendingWork())
                {
                    TrySchedule();
                }
            }
        }
    }

    /// <summary>Processes up to a turn's worth of user messages. Returns true when an awaited handler took over the actor.</summary>
    private bool ProcessUserMessages()
    {
        var budget = _cell.System.Options.Throughput;
        var queue = _queue;
        while (budget-- > 0 && queue is not null && _cell.CanProcessUserMessages && queue.TryDequeue(out var envelope))
        {
            if (_options.IsBounded)
            {
                Interlocked.Decrement(ref _count);
            }

            if (_cell.Invoke(envelope))
            {
                return true;
            }

            if (Volatile.Read(ref _systemHead) is not null && !IsClosed)
            {
                ProcessSystemMessages();
            }
        }

        return false;
    }

    private void ProcessSystemMessages()
    {
        while (!IsClosed)
        {
            var head = Volatile.Read(ref _systemHead);
            if (head is null || ReferenceEquals(head, ClosedMarker))
            {
                return;
            }

            if (!ReferenceEquals(Interlocked.CompareExchange(ref _systemHead, null, head), head))
            {
                continue;
            }

            for (var message = Reverse(head); message is not null;)
            {
                var next = message.Next;
                message.Next = null;
                if (IsClosed)
                {
                    _cell.HandleSystemMessageAfterStop(message);
                }
                else
                {
                    _cell.SystemInvoke(message);
                }

                message = next;
            }
        }
    }

    private bool HasPendingWork()
    {
        if (IsClosed)
        {
            return false;
        }

        var head = Volatile.Read(ref _systemHead);
        return (head is not null && !ReferenceEquals(head, ClosedMarker))
            || (_cell.CanProcessUserMessages && _queue is { IsEmpty: false });
    }

    private void TrySchedule()
    {
        if (Volatile.Read(ref _status) == Idle && Interlocked.CompareExchange(ref _status, Scheduled, Idle) == Idle)
        {
            Schedule();
        }
    }

    /// <summary>
    /// Queues a run. Told from a pool thread (another actor, a connection's receive loop), the run goes to that
    /// thread's own queue, as a task continuation would: it runs there once the current work item ends, instead of
    /// waking another worker to take it from the global queue. A consumer's message to its room then runs on the
    /// same thread, with no thread handoff in between (BENCHMARKS.md, "Thread handoffs"). Idle workers may still
    /// steal it, so one busy thread holds nothing up.
    /// </summary>
    private void Schedule() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);

    private bool ReserveSlot(in Envelope envelope)
    {
        if (Interlocked.Increment(ref _count) <= _options.Capacity)
        {
            return true;
        }

        if (_options.Overflow == MailboxOverflow.DropOldest && _queue is { } queue && queue.TryDequeue(out var oldest))
        {
            // The dropped message's slot is now ours, so the count goes back to what it was.
            Interlocked.Decrement(ref _count);
            _cell.System.PublishDeadLetter(oldest, _cell.Self);
            return true;
        }

        Interlocked.Decrement(ref _count);
        _cell.System.PublishDeadLetter(envelope, _cell.Self);
        return false;
    }

    private ConcurrentQueue<Envelope> CreateQueue()
    {
        Interlocked.CompareExchange(ref _queue, new ConcurrentQueue<Envelope>(), null);
        return _queue!;
    }

    private void DrainToDeadLetters()
    {
        if (_queue is null)
        {
            return;
        }

        while (_queue.TryDequeue(out var envelope))
        {
            _cell.System.PublishDeadLetter(envelope, _cell.Self);
        }
    }

    private static SystemMessage? Reverse(SystemMessage? head)
    {
        SystemMessage? reversed = null;
        while (head is not null && !ReferenceEquals(head, ClosedMarker))
        {
            var next = head.Next;
            head.Next = reversed;
            reversed = head;
            head = next;
        }

        return reversed;
    }
}
