namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Flow control between a connection's receive loop (the one taker) and its consumer (which returns a credit per
/// processed message): lock-free while credits last; the taker waits, on a task made only then, when they run out.
/// </summary>
internal sealed class CreditGate(int credits)
{
    private int _available = credits;
    private TaskCompletionSource? _waiter;

    /// <summary>Takes a credit, waiting for one when none is left. One caller at a time.</summary>
    public ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _available) >= 0)
        {
            return ValueTask.CompletedTask;
        }

        // Out of credits: the next Return owes us one and completes this.
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _waiter, waiter);
        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Gives a credit back, waking the taker if it is waiting for one.</summary>
    public void Return()
    {
        if (Interlocked.Increment(ref _available) > 0)
        {
            return;
        }

        // The taker went below zero and is publishing its waiter; it does so right after the decrement.
        var spin = new SpinWait();
        TaskCompletionSource? waiter;
        while ((waiter = Interlocked.Exchange(ref _waiter, null)) is null)
        {
            spin.SpinOnce();
        }

        waiter.TrySetResult();
    }
}
