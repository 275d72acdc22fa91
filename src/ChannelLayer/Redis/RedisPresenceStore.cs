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

    public RedisPresenceStore(RedisMultiplexer redis, RedisKeys keys, RedisLayerOptions options, TimeProvider time)
    {
        _redis = redis;
        _keys = keys;
        _options = options;
        _time = time;
        _heartbeat = time.CreateTimer(_ => _ = BeatAsync(), null, options.HeartbeatInterval, options.HeartbeatInterval);
    }

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { set => _departed = value; }

    public async Task AddAsync(string group, PresenceMeta meta)
    {
        var json = JsonSerializer.Serialize(meta, ChannelMessageJson.Options);
        var database = _redis.Connection.GetDatabase();
        await Unavailable(() => Task.WhenAll(
            database.HashSetAsync(_keys.Presence(group, _options.NodeId), meta.Channel, json),
            database.SortedSetAddAsync(_keys.PresenceNodes(group), _options.NodeId, ExpiresAt()),
            database.SetAddAsync(_keys.PresenceGroups, group))).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_own.TryGetValue(group, out var metas))
            {
                _own[group] = metas = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            metas[meta.Channel] = json;
        }
    }

    public async Task RemoveAsync(string group, PresenceMeta meta)
    {
        lock (_gate)
        {
            if (_own.TryGetValue(group, out var metas) && metas.Remove(meta.Channel) && metas.Count == 0)
            {
                _own.Remove(group);
            }
        }

        await Unavailable(() => _redis.Connection.GetDatabase().HashDeleteAsync(_keys.Presence(group, _options.NodeId), meta.Channel)).ConfigureAwait(false);
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
            List<(string Group, HashEntry[] Metas)> own;
            lock (_gate)
            {
                own = [.. _own.Select(g => (g.Key, g.Value.Select(m => new HashEntry(m.Key, m.Value)).ToArray()))];
            }

            foreach (var (group, metas) in own)
            {
                await Task.WhenAll(
                    database.HashSetAsync(_keys.Presence(group, _options.NodeId), metas),
                    database.SortedSetAddAsync(_keys.PresenceNodes(group), _options.NodeId, ExpiresAt()),
                    database.SetAddAsync(_keys.PresenceGroups, group)).ConfigureAwait(false);
            }

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
        catch (RedisException)
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
        catch (RedisException ex)
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
