using System.Text.Json;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Presence in Redis, kept like group membership: each node writes its metas to a hash per group and renews its score
/// in the group's node set on every heartbeat. A node that stops renewing is swept after <see cref="RedisLayerOptions.MembershipTtl"/>.
/// </summary>
/// <remarks>
/// <para>Every node sweeps on its heartbeat, with a script: it removes the expired nodes' hashes and returns their metas,
/// so exactly one node gets each gone meta and announces it. Nodes compare their own clocks with the scores, so their
/// clocks should agree to well within the TTL (NTP).</para>
/// <para>A node that was only stalled (a long pause, a partition from Redis) is swept like a dead one. The sweep leaves
/// a mark with its time (<see cref="RedisKeys.PresenceSwept"/>); the node's next heartbeats write its metas back and,
/// once the sweep's leaves have had time to go out, hand the group to <see cref="Returned"/> so the metas it tracked
/// since before the sweep are announced as joins again, then remove the mark. A removal reports the mark it finds, so the
/// tracker announces no second leave for a meta the sweep took and nobody announced back. Without a mark (a flush, a
/// Redis that lost its data) nothing was announced, so a removal announces its leave and nothing joins twice.</para>
/// </remarks>
internal sealed class RedisPresenceStore : IPresenceStore, IAsyncDisposable
{
    // KEYS[1] = the group's node set; ARGV[1] = now (Unix ms); ARGV[2] = the prefix of the group's node hashes;
    // ARGV[3] = how long a sweep mark lives (ms). A node id has no ':', so "swept:" + id names no node's hash.
    private const string SweepScript = """
        local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local metas = {}
        for _, node in ipairs(gone) do
          local hash = ARGV[2] .. node
          for _, meta in ipairs(redis.call('HVALS', hash)) do table.insert(metas, meta) end
          redis.call('DEL', hash)
          redis.call('ZREM', KEYS[1], node)
          redis.call('SET', ARGV[2] .. 'swept:' .. node, ARGV[1], 'PX', ARGV[3])
        end
        return metas
        """;

    private readonly RedisMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly RedisLayerOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _returnAfter;
    private readonly long _markLifetimeMs; // a sweep mark outlives any stall worth handling; a dead node's goes with it
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, string>> _own = new(StringComparer.Ordinal); // group → channel → meta JSON
    private readonly ITimer _heartbeat;
    private Action<string, IReadOnlyList<PresenceMeta>>? _departed;
    private Action<string, DateTimeOffset>? _returned;

    /// <param name="redis">The connection.</param>
    /// <param name="keys">The key names.</param>
    /// <param name="options">The node id, the TTL and the heartbeat.</param>
    /// <param name="time">The clock of the scores and of the heartbeat.</param>
    /// <param name="diffInterval">How long a node may hold diffs before it sends them: a returned node announces its
    /// joins only after twice that (and half a second more), so the sweeping node's leaves go out first.</param>
    public RedisPresenceStore(RedisMultiplexer redis, RedisKeys keys, RedisLayerOptions options, TimeProvider time, TimeSpan diffInterval)
    {
        _redis = redis;
        _keys = keys;
        _options = options;
        _time = time;
        _returnAfter = diffInterval + diffInterval + TimeSpan.FromMilliseconds(500);
        _markLifetimeMs = (long)Math.Max(TimeSpan.FromMinutes(10).TotalMilliseconds, 10 * options.MembershipTtl.TotalMilliseconds);
        _heartbeat = time.CreateTimer(_ => _ = BeatAsync(), null, options.HeartbeatInterval, options.HeartbeatInterval);
    }

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { set => _departed = value; }

    public Action<string, DateTimeOffset>? Returned { set => _returned = value; }

    public async Task AddAsync(string group, PresenceMeta meta)
    {
        var json = JsonSerializer.Serialize(meta, ChannelMessageJson.Options);
        Task written;
        lock (_gate)
        {
            if (!_own.TryGetValue(group, out var metas))
            {
                _own[group] = metas = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            metas[meta.Channel] = json;
            written = Write(group, [new HashEntry(meta.Channel, json)]);
        }

        try
        {
            await Unavailable(() => written).ConfigureAwait(false);
        }
        catch (RedisUnavailableException)
        {
            lock (_gate)
            {
                // The tracker does not track it: no beat may write it, and a write that reached Redis after all goes.
                Forget(group, meta.Channel);
                _redis.Connection.GetDatabase().HashDelete(_keys.Presence(group, _options.NodeId), meta.Channel, CommandFlags.FireAndForget);
            }

            throw;
        }
    }

    public async Task<DateTimeOffset?> RemoveAsync(string group, PresenceMeta meta)
    {
        Task deleted;
        Task<RedisValue> mark;
        lock (_gate)
        {
            Forget(group, meta.Channel);
            var database = _redis.Connection.GetDatabase();
            deleted = database.HashDeleteAsync(_keys.Presence(group, _options.NodeId), meta.Channel);
            mark = database.StringGetAsync(_keys.PresenceSwept(group, _options.NodeId));
        }

        await Unavailable(() => Task.WhenAll(deleted, mark)).ConfigureAwait(false);
        return SweptAt(mark.Result);
    }

    /// <summary>Drops a channel from this node's own list. Callers hold <see cref="_gate"/>.</summary>
    private void Forget(string group, string channel)
    {
        if (_own.TryGetValue(group, out var metas) && metas.Remove(channel) && metas.Count == 0)
        {
            _own.Remove(group);
        }
    }

    /// <summary>
    /// Issues the renewal of this node's entry in <paramref name="group"/> and the writes of its <paramref name="metas"/>
    /// there. Callers hold <see cref="_gate"/>: one connection sends commands in the order they are issued, so Redis
    /// applies this node's writes in the order its own list changed, and a renewal never writes back a meta whose removal
    /// it overtook. The score goes first, so no sweep can come between it and the metas.
    /// </summary>
    private Task Write(string group, HashEntry[] metas)
    {
        var database = _redis.Connection.GetDatabase();
        return Task.WhenAll(
            database.SortedSetAddAsync(_keys.PresenceNodes(group), _options.NodeId, ExpiresAt()),
            database.HashSetAsync(_keys.Presence(group, _options.NodeId), metas),
            database.SetAddAsync(_keys.PresenceGroups, group));
    }

    /// <summary>
    /// Rewrites this node's metas in <paramref name="group"/> from its own list and renews its entry there. Under a sweep
    /// mark old enough, hands the group to <see cref="Returned"/>, then removes the mark (at least once: a mark outlives a
    /// failure here, and the next beat hands it again).
    /// </summary>
    private async Task RenewAsync(string group)
    {
        Task written;
        Task<RedisValue> mark;
        lock (_gate)
        {
            if (!_own.TryGetValue(group, out var metas))
            {
                return;
            }

            written = Write(group, [.. metas.Select(m => new HashEntry(m.Key, m.Value))]);
            mark = _redis.Connection.GetDatabase().StringGetAsync(_keys.PresenceSwept(group, _options.NodeId));
        }

        await Task.WhenAll(written, mark).ConfigureAwait(false);
        if (SweptAt(mark.Result) is { } swept && _time.GetUtcNow() - swept >= _returnAfter)
        {
            _returned?.Invoke(group, swept);
            await _redis.Connection.GetDatabase().KeyDeleteAsync(_keys.PresenceSwept(group, _options.NodeId)).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset? SweptAt(RedisValue mark) =>
        mark.TryParse(out long unixMs) ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs) : null;

    public async Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken)
    {
        var database = _redis.Connection.GetDatabase();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return await Unavailable(async () =>
        {
            var nodes = await database.SortedSetRangeByScoreAsync(_keys.PresenceNodes(group), now, double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);
            var hashes = await Task.WhenAll(nodes.Select(node => database.HashValuesAsync(_keys.Presence(group, node!)))).ConfigureAwait(false);
            return (IReadOnlyList<PresenceMeta>)[.. hashes.SelectMany(values => values).Select(Decode)];
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _heartbeat.DisposeAsync().ConfigureAwait(false);

    /// <summary>Renews this node's metas (rewritten from its own list, the truth) and sweeps every group's gone nodes.</summary>
    private async Task BeatAsync()
    {
        var database = _redis.Connection.GetDatabase();
        try
        {
            string[] groups;
            lock (_gate)
            {
                groups = [.. _own.Keys];
            }

            await Task.WhenAll(groups.Select(RenewAsync)).ConfigureAwait(false);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var group in await database.SetMembersAsync(_keys.PresenceGroups).ConfigureAwait(false))
            {
                var name = group.ToString();
                var swept = (RedisResult[]?)await database.ScriptEvaluateAsync(SweepScript,
                    [_keys.PresenceNodes(name)], [now, _keys.PresencePrefix(name), _markLifetimeMs]).ConfigureAwait(false);
                if (swept is { Length: > 0 })
                {
                    _departed?.Invoke(name, [.. swept.Select(meta => Decode((RedisValue)meta))]);
                }
            }
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            // Redis is away: the next beat renews and sweeps.
        }
    }

    private double ExpiresAt() => (_time.GetUtcNow() + _options.MembershipTtl).ToUnixTimeMilliseconds();

    private static PresenceMeta Decode(RedisValue json) => JsonSerializer.Deserialize<PresenceMeta>((string)json!, ChannelMessageJson.Options)!;

    private static async Task<T> Unavailable<T>(Func<Task<T>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            throw new RedisUnavailableException($"Redis is unreachable or refused the command: {ex.Message}", ex);
        }
    }

    private static async Task Unavailable(Func<Task> command) => await Unavailable(async () =>
    {
        await command().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);
}
