using System.Text.Json;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Presence in Redis, kept like group membership: each node writes its metas to a hash per group and renews its score
/// in the group's node set on every heartbeat. A node that stops renewing is swept after <see cref="RedisLayerOptions.MembershipTtl"/>.
/// </summary>
/// <remarks>
/// Every node sweeps on its heartbeat, with a script: it removes the expired nodes' hashes and returns their metas, so
/// exactly one node gets each gone meta and announces it. Nodes compare their own clocks with the scores, so their
/// clocks should agree to well within the TTL (NTP).
/// </remarks>
internal sealed class RedisPresenceStore : IPresenceStore, IAsyncDisposable
{
    // KEYS[1] = the group's node set; ARGV[1] = now (Unix ms); ARGV[2] = the prefix of the group's node hashes.
    private const string SweepScript = """
        local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local metas = {}
        for _, node in ipairs(gone) do
          local hash = ARGV[2] .. node
          for _, meta in ipairs(redis.call('HVALS', hash)) do table.insert(metas, meta) end
          redis.call('DEL', hash)
          redis.call('ZREM', KEYS[1], node)
        end
        return metas
        """;

    private readonly RedisMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly RedisLayerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, string>> _own = new(StringComparer.Ordinal); // group → channel → meta JSON
    private readonly ITimer _heartbeat;
    private Action<string, IReadOnlyList<PresenceMeta>>? _departed;
    private Action<string, IReadOnlyList<string>>? _returned;

    public RedisPresenceStore(RedisMultiplexer redis, RedisKeys keys, RedisLayerOptions options, TimeProvider time)
    {
        _redis = redis;
        _keys = keys;
        _options = options;
        _time = time;
        _heartbeat = time.CreateTimer(_ => _ = BeatAsync(), null, options.HeartbeatInterval, options.HeartbeatInterval);
    }

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { set => _departed = value; }

    public Action<string, IReadOnlyList<string>>? Returned { set => _returned = value; }

    public async Task AddAsync(string group, PresenceMeta meta)
    {
        var json = JsonSerializer.Serialize(meta, ChannelMessageJson.Options);
        Task written;
        Task<bool> nodeAdded;
        string[] others;
        lock (_gate)
        {
            if (!_own.TryGetValue(group, out var metas))
            {
                _own[group] = metas = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            others = [.. metas.Keys.Where(channel => channel != meta.Channel)];
            metas[meta.Channel] = json;
            (written, nodeAdded) = Write(group, [new HashEntry(meta.Channel, json)]);
        }

        try
        {
            await Unavailable(() => Task.WhenAll(written, nodeAdded)).ConfigureAwait(false);
        }
        catch (RedisUnavailableException)
        {
            lock (_gate)
            {
                Forget(group, meta.Channel); // the tracker does not track it, so no beat may write it
            }

            throw;
        }

        if (nodeAdded.Result && others.Length > 0)
        {
            // This node had metas here, yet its entry was gone: another node swept them (this node stalled past the
            // TTL) and announced them as leaves. Write them back, and have them announced as joins again.
            try
            {
                await RenewAsync(group, others).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                // Redis went away again: the next beat writes them back, though without announcing them.
            }
        }
    }

    public async Task<bool> RemoveAsync(string group, PresenceMeta meta)
    {
        Task<bool> deleted;
        lock (_gate)
        {
            Forget(group, meta.Channel);
            deleted = _redis.Connection.GetDatabase().HashDeleteAsync(_keys.Presence(group, _options.NodeId), meta.Channel);
        }

        return await Unavailable(() => deleted).ConfigureAwait(false);
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
    /// Issues the writes of this node's <paramref name="metas"/> in <paramref name="group"/> and the renewal of its entry
    /// there. Callers hold <see cref="_gate"/>: one connection sends commands in the order they are issued, so Redis
    /// applies this node's writes in the order its own list changed, and a renewal never writes back a meta whose removal
    /// it overtook.
    /// </summary>
    private (Task Written, Task<bool> NodeAdded) Write(string group, HashEntry[] metas)
    {
        var database = _redis.Connection.GetDatabase();
        var written = Task.WhenAll(
            database.HashSetAsync(_keys.Presence(group, _options.NodeId), metas),
            database.SetAddAsync(_keys.PresenceGroups, group));
        return (written, database.SortedSetAddAsync(_keys.PresenceNodes(group), _options.NodeId, ExpiresAt()));
    }

    /// <summary>
    /// Rewrites this node's metas in <paramref name="group"/> from its own list and renews its entry there. The channels
    /// that were swept go to <see cref="Returned"/>: <paramref name="swept"/> when the caller found the sweep, or every
    /// channel here when this renewal finds the entry gone.
    /// </summary>
    private async Task RenewAsync(string group, string[]? swept = null)
    {
        Task written;
        Task<bool> nodeAdded;
        string[] channels;
        lock (_gate)
        {
            if (!_own.TryGetValue(group, out var metas))
            {
                return;
            }

            channels = [.. metas.Keys];
            (written, nodeAdded) = Write(group, [.. metas.Select(m => new HashEntry(m.Key, m.Value))]);
        }

        await Task.WhenAll(written, nodeAdded).ConfigureAwait(false);
        swept ??= nodeAdded.Result ? channels : null;
        if (swept is { Length: > 0 })
        {
            _returned?.Invoke(group, swept);
        }
    }

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

            await Task.WhenAll(groups.Select(group => RenewAsync(group))).ConfigureAwait(false);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var group in await database.SetMembersAsync(_keys.PresenceGroups).ConfigureAwait(false))
            {
                var name = group.ToString();
                var swept = (RedisResult[]?)await database.ScriptEvaluateAsync(SweepScript,
                    [_keys.PresenceNodes(name)], [now, _keys.PresencePrefix(name)]).ConfigureAwait(false);
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
