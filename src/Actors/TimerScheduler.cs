namespace ActorChat.Actors;

/// <summary>
/// The scheduler behind <see cref="ActorSystem.Scheduler"/>: one <see cref="ITimer"/> from the system's
/// <see cref="TimeProvider"/> per scheduled delivery, so tests can drive it with a fake clock.
/// Deliveries stop when the system terminates.
/// </summary>
internal sealed class TimerScheduler(TimeProvider time, Func<bool> isTerminated) : IScheduler
{
    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Start(delay, Timeout.InfiniteTimeSpan, receiver, message, sender);
    }

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Start(initialDelay, interval, receiver, message, sender);
    }

    private ScheduledTell Start(TimeSpan due, TimeSpan period, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        var tell = new ScheduledTell(receiver, message, sender, isTerminated, once: period == Timeout.InfiniteTimeSpan);
        tell.Timer = time.CreateTimer(static state => ((ScheduledTell)state!).Fire(), tell, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tell.Timer.Change(due, period);
        return tell;
    }

    private sealed class ScheduledTell(IActorRef receiver, object message, IActorRef? sender, Func<bool> isTerminated, bool once) : ICancelable
    {
        private int _cancelled;

        public ITimer? Timer { get; set; }

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

        public void Fire()
        {
            if (IsCancellationRequested || isTerminated())
            {
                Cancel();
                return;
            }

            receiver.Tell(message, sender);
            if (once)
            {
                Cancel();
            }
        }

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                Timer?.Dispose();
            }
        }
    }
}
