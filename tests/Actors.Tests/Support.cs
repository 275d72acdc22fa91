using Microsoft.Extensions.Logging;

namespace ActorChat.Actors.Tests;

/// <summary>A clock the test moves by hand. Its timers fire inside <see cref="Advance"/>, on the test's thread.</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks; // actors read it on their own threads

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock and runs every timer callback that falls due, in time order per timer.</summary>
    public void Advance(TimeSpan by)
    {
        var now = new DateTimeOffset(Interlocked.Add(ref _ticks, by.Ticks), TimeSpan.Zero);
        ManualTimer[] timers;
        lock (_timers)
        {
            timers = [.. _timers];
        }

        foreach (var timer in timers)
        {
            timer.FireDue(now);
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_timers)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        private DateTimeOffset? _next;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _next = dueTime == Timeout.InfiniteTimeSpan ? null : time.GetUtcNow() + dueTime;
            _period = period;
            return true;
        }

        public void FireDue(DateTimeOffset now)
        {
            while (_next is { } due && due <= now)
            {
                _next = _period == Timeout.InfiniteTimeSpan ? null : due + _period;
                callback(state);
            }
        }

        public void Dispose()
        {
            _next = null;
            time.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Collects formatted log lines.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception?.Message}");
    }
}
