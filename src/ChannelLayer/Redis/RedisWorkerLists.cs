using System.Collections.Concurrent;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Named channels as Redis lists, so a worker on any node can receive from them: a push is one Lua script (below capacity
/// only, atomically) followed by a wake-up on the list's pub/sub channel; a receive pops with RPOP, and when the list is
/// empty waits for a wake-up, or at most <see cref="PollInterval"/>, which covers a wake-up lost in a reconnect.
/// </summary>
/// <remarks>
/// StackExchange.Redis offers no BRPOP: one blocking command would stall the multiplexer every other command shares. Its
/// documentation suggests this pattern instead. Each entry is popped by one receiver (RPOP is atomic), in push order.
/// </remarks>
internal sealed class RedisWorkerLists(RedisMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    /// <summary>The longest a waiting receiver goes without looking at its list.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // KEYS[1] list, ARGV[1] capacity, ARGV[2] entry, ARGV[3] ttl ms: push only below capacity, atomically.
    private const string PushIfRoom = "if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end redis.call('LPUSH', KEYS[1], ARGV[2]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1";

    private readonly ConcurrentDictionary<string, Wakeup> _wakeups = new(StringComparer.Ordinal);

    private IDatabase Database => redis.Connection.GetDatabase();

    /// <summary>Pushes an entry below <paramref name="capacity"/>; false when the list is full.</summary>
    /// <exception cref="RedisException">Redis is unreachable or refused the script (or a <see cref="RedisTimeoutException"/>: it did not answer in time).</exception>
    public async Task<bool> PushAsync(string channel, ChannelMessage message, int capacity, TimeSpan expiry)
    {
        var key = keys.List(channel);
        var entry = RedisFrame.ListEntry(message, time.GetUtcNow() + expiry);
        var pushed = (long)await Database.ScriptEvaluateAsync(PushIfRoom, [key], [capacity, entry, (long)expiry.TotalMilliseconds]).ConfigureAwait(false) == 1;
        if (pushed)
        {
            redis.Connection.GetSubscriber().Publish(redis.Channel(keys.ListWakeup(channel)), RedisValue.EmptyString, CommandFlags.FireAndForget);
        }

        return pushed;
    }

    /// <summary>Waits for the next unexpired entry; expired ones are counted in <paramref name="expired"/> and skipped.</summary>
    public async Task<ChannelMessage> PopAsync(string channel, Action<long> expired, CancellationToken cancellationToken)
    {
        var key = keys.List(channel);
        var wakeup = await WakeupForAsync(channel).ConfigureAwait(false);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = wakeup.Next; // taken before the pop, so a push that lands after an empty pop still wakes us
            RedisValue entry;
            try
            {
                entry = await Database.ListRightPopAsync(key).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                entry = RedisValue.Null; // Redis is away: wait and look again
            }

            if (entry.HasValue)
            {
                if (!RedisFrame.TryReadListEntry((byte[])entry!, out var expiresAt, out var message))
                {
                    continue; // not ours: someone else pushed onto the layer's key
                }

                if (expiresAt > time.GetUtcNow().UtcTicks)
                {
                    return message;
                }

                expired(1);
                continue;
            }

            try
            {
                await next.WaitAsync(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // no wake-up: look anyway
            }
        }
    }

    /// <summary>The list's wake-ups, subscribed the first time anyone on this node waits on it, for the layer's lifetime.</summary>
    private async Task<Wakeup> WakeupForAsync(string channel)
    {
        if (_wakeups.TryGetValue(channel, out var known))
        {
            return known;
        }

        var wakeup = _wakeups.GetOrAdd(channel, static _ => new Wakeup());
        if (Interlocked.Exchange(ref wakeup.Subscribed, 1) == 0)
        {
            try
            {
                await redis.Connection.GetSubscriber().SubscribeAsync(redis.Channel(keys.ListWakeup(channel)), (_, _) => wakeup.Pulse()).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                // Redis is away: the multiplexer subscribes when it is back, and polling covers the gap.
            }
        }

        return wakeup;
    }

    /// <summary>A pulse every waiter sees: each wait takes the current task, and a pulse completes it and starts the next.</summary>
    private sealed class Wakeup
    {
        public int Subscribed;
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Next => Volatile.Read(ref _next).Task;

        public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
