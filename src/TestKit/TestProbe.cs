using System.Diagnostics;
using System.Threading.Channels;
using ActorChat.Actors;

namespace ActorChat.TestKit;

/// <summary>
/// An actor a test controls: pass <see cref="Ref"/> wherever an actor is expected, then assert on
/// what it received with time-bounded expectations. Every wait has a timeout; failures say what
/// was expected, what arrived, and after how long.
/// </summary>
public sealed partial class TestProbe
{
    private readonly Channel<ReceivedMessage> _queue = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly AsyncLocal<long?> _deadline = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a probe in <paramref name="system"/>; a <see cref="TestKit"/> test uses <c>CreateTestProbe</c> instead.</summary>
    public TestProbe(ActorSystem system, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        _time = system.Options.TimeProvider;
        Ref = system.ActorOf(Props.FromFactory(() => new ProbeActor(_queue.Writer, _time)), name);
        LastSender = system.DeadLetters;
    }

    /// <summary>The system the probe lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>The probe's actor reference.</summary>
    public IActorRef Ref { get; }

    /// <summary>The sender of the last message an expectation took.</summary>
    public IActorRef LastSender { get; private set; }

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Replies to <see cref="LastSender"/> with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Makes the probe watch <paramref name="target"/>, so it receives its <see cref="Terminated"/>.</summary>
    public async Task WatchAsync(IActorRef target) => await Ref.Ask<object>(new WatchCommand(target), TestKitSettings.DefaultTimeout);

    /// <summary>Stops watching <paramref name="target"/>.</summary>
    public async Task UnwatchAsync(IActorRef target) => await Ref.Ask<object>(new UnwatchCommand(target), TestKitSettings.DefaultTimeout);

    /// <summary>Expects the next message to be a <typeparamref name="T"/> matching <paramref name="predicate"/>, within <paramref name="timeout"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var wait = Remaining(timeout);
        var what = predicate is null ? $"a {typeof(T).Name}" : $"a {typeof(T).Name} matching the predicate";
        var received = await ReceiveOneAsync(wait).ConfigureAwait(false)
            ?? throw Fail($"Expected {what} within {Format(wait)}, but no message arrived.");
        if (received.Message is T typed && (predicate is null || predicate(typed)))
        {
            LastSender = received.Sender;
            return typed;
        }

        throw Fail($"Expected {what} within {Format(wait)}, but received {Describe(received.Message)} after {Format(Since(received))}.");
    }

    /// <summary>Expects the next message to equal <paramref name="expected"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null) where T : notnull =>
        ExpectMsgEqualAsync(expected, timeout);

    /// <summary>Expects that no message arrives during <paramref name="duration"/> (default 100 ms).</summary>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var wait = duration ?? TimeSpan.FromMilliseconds(100);
        var received = await ReceiveOneAsync(wait).ConfigureAwait(false);
        if (received is { } message)
        {
            throw Fail($"Expected no message for {Format(wait)}, but received {Describe(message.Message)} after {Format(Since(message))}.");
        }
    }

    /// <summary>Expects the <see cref="Terminated"/> of <paramref name="target"/>; the probe must be watching it.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null) =>
        ExpectMsgAsync<Terminated>(t => ReferenceEquals(t.ActorRef, target), timeout);

    /// <summary>Skips messages until one is a <typeparamref name="T"/> for which <paramref name="isTheOne"/> is true.</summary>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var wait = Remaining(timeout);
        var until = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        var skipped = new List<string>();
        while (true)
        {
            var left = TimeSpan.FromSeconds(Math.Max(0, until - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
            var received = await ReceiveOneAsync(left).ConfigureAwait(false)
                ?? throw Fail($"Fished for a {typeof(T).Name} for {Format(wait)} without a match; skipped [{string.Join(", ", skipped)}].");
            if (received.Message is T typed && isTheOne(typed))
            {
                LastSender = received.Sender;
                return typed;
            }

            skipped.Add(Describe(received.Message));
        }
    }

    /// <summary>Receives exactly <paramref name="count"/> messages of any type, in order, within <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<object>> ReceiveNAsync(int count, TimeSpan? timeout = null)
    {
        var wait = Remaining(timeout);
        var start = Stopwatch.GetTimestamp();
        var messages = new List<object>(count);
        while (messages.Count < count)
        {
            var left = wait - Stopwatch.GetElapsedTime(start);
            var received = await ReceiveOneAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false)
                ?? throw Fail($"Expected {count} messages within {Format(wait)}, but received {messages.Count}.");
            LastSender = received.Sender;
            messages.Add(received.Message);
        }

        return messages;
    }

    /// <summary>
    /// Runs <paramref name="block"/> and asserts that it took between <paramref name="min"/> and <paramref name="max"/>.
    /// Expectations inside that give no timeout get only the time left.
    /// </summary>
    public async Task<T> WithinAsync<T>(TimeSpan min, TimeSpan max, Func<Task<T>> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var start = Stopwatch.GetTimestamp();
        var outer = _deadline.Value;
        _deadline.Value = start + (long)(max.TotalSeconds * Stopwatch.Frequency);
        try
        {
            var result = await block().ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(start);
            if (took > max)
            {
                throw Fail($"Expected the block to finish within {Format(max)}, but it took {Format(took)}.");
            }

            if (took < min)
            {
                throw Fail($"Expected the block to take at least {Format(min)}, but it took {Format(took)}.");
            }

            return result;
        }
        finally
        {
            _deadline.Value = outer;
        }
    }

    /// <summary>Like <see cref="WithinAsync{T}(TimeSpan, TimeSpan, Func{Task{T}})"/> with no lower bound.</summary>
    public Task WithinAsync(TimeSpan max, Func<Task> block) =>
        WithinAsync(TimeSpan.Zero, max, async () => { await block().ConfigureAwait(false); return true; });

    /// <summary>Retries <paramref name="assertion"/> every <paramref name="interval"/> until it passes or <paramref name="duration"/> ends, then rethrows its last failure.</summary>
    public static Task AwaitAssertAsync(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        return AwaitAssertAsync(() => { assertion(); return Task.CompletedTask; }, duration, interval);
    }

    /// <summary>Retries an asynchronous <paramref name="assertion"/> until it passes or <paramref name="duration"/> ends.</summary>
    public static async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var limit = duration ?? TestKitSettings.DefaultTimeout;
        var pause = interval ?? TimeSpan.FromMilliseconds(20);
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (Stopwatch.GetElapsedTime(start) < limit)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> ExpectMsgEqualAsync<T>(T expected, TimeSpan? timeout) where T : notnull
    {
        var wait = Remaining(timeout);
        var received = await ReceiveOneAsync(wait).ConfigureAwait(false)
            ?? throw Fail($"Expected {Describe(expected)} within {Format(wait)}, but no message arrived.");
        if (received.Message is T typed && EqualityComparer<T>.Default.Equals(typed, expected))
        {
            LastSender = received.Sender;
            return typed;
        }

        throw Fail($"Expected {Describe(expected)} within {Format(wait)}, but received {Describe(received.Message)} after {Format(Since(received))}.");
    }

    private async Task<ReceivedMessage?> ReceiveOneAsync(TimeSpan wait)
    {
        if (_queue.Reader.TryRead(out var ready))
        {
            return ready;
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _queue.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    private TimeSpan Remaining(TimeSpan? timeout)
    {
        if (timeout is { } given)
        {
            return given;
        }

        if (_deadline.Value is { } deadline)
        {
            var left = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        return TestKitSettings.DefaultTimeout;
    }

    private TimeSpan Since(ReceivedMessage message) => _time.GetElapsedTime(message.Timestamp);

    internal static string Describe(object message) => $"{message.GetType().Name} {message}";

    internal static string Format(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.###} s" : $"{span.TotalMilliseconds:0} ms";

    private static ExpectationFailedException Fail(string message) => new(message);
}
