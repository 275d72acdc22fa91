using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Sends each command and places each subscription on the Redis server that owns its key's slot. Against
/// one plain server every slot is that server, and pub/sub is PUBLISH/SUBSCRIBE. Against Redis Cluster
/// the slot map comes from <c>CLUSTER SLOTS</c> (asked of the configured endpoints, then of the known
/// masters), and pub/sub is sharded (SPUBLISH/SSUBSCRIBE), so each channel's traffic stays on the one
/// shard that owns it and group traffic spreads over the shards. The map is refreshed on a timer, after a
/// <c>MOVED</c> redirect, and when a server takes a subscription away; subscriptions then move with their
/// slots. This is a Redis Cluster client, not a cluster protocol: Redis decides who owns what.
/// </summary>
internal sealed partial class RedisRouter : IAsyncDisposable
{
    private const int MaxRedirects = 3;

    private readonly EndPoint[] _seeds;
    private readonly TimeSpan _connectTimeout;
    private readonly Action<string, byte[]> _onMessage;
    private readonly Action<string> _onFireError;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<EndPoint, RedisClient> _clients = new();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RedisSubscriber> _placed = new(StringComparer.Ordinal);
    private readonly Dictionary<EndPoint, RedisSubscriber> _subscribers = [];
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly SemaphoreSlim _refreshWanted = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _refreshLoop;
    private volatile RedisTopology? _topology;
    private string _lastTopologyError = "not asked yet";

    /// <summary>Starts routing; for a cluster, the slot map is fetched in the background until a server answers.</summary>
    /// <param name="seeds">One plain server, or two or more Redis Cluster nodes.</param>
    /// <param name="connectTimeout">How long a TCP connect may take.</param>
    /// <param name="refreshInterval">How often a cluster's slot map is asked for again.</param>
    /// <param name="onMessage">Receives every pub/sub message: the channel and the payload.</param>
    /// <param name="onFireError">Receives the error text of a fire-and-forget command that failed.</param>
    /// <param name="logger">Where topology changes are logged.</param>
    public RedisRouter(IReadOnlyList<EndPoint> seeds, TimeSpan connectTimeout, TimeSpan refreshInterval, Action<string, byte[]> onMessage, Action<string> onFireError, ILogger logger)
    {
        _seeds = [.. seeds];
        _connectTimeout = connectTimeout;
        _onMessage = onMessage;
        _onFireError = onFireError;
        _logger = logger;
        IsCluster = _seeds.Length > 1;
        if (IsCluster)
        {
            _refreshLoop = Task.Run(() => RefreshLoopAsync(refreshInterval));
        }
        else
        {
            _topology = RedisTopology.Single(_seeds[0]);
            _refreshLoop = Task.CompletedTask;
            SubscriberFor(_seeds[0]); // connect the pub/sub connection now, so readiness reflects it
        }
    }

    /// <summary>True for Redis Cluster (sharded pub/sub), false for one plain server.</summary>
    public bool IsCluster { get; }

    /// <summary>The servers that own slots now (empty until a cluster's map is known).</summary>
    public IReadOnlyList<EndPoint> Masters => _topology?.Masters ?? [];

    /// <summary>How many times subscriber connections have been established, summed over the servers.</summary>
    public int SubscriberConnections
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Values.Sum(s => s.Connections);
            }
        }
    }

    /// <summary>True when the slot map is known and every subscriber that holds channels is connected.</summary>
    public bool SubscribersConnected
    {
        get
        {
            lock (_gate)
            {
                return _topology is not null && _subscribers.Values.All(s => s.IsConnected || !s.HasChannels);
            }
        }
    }

    /// <summary>Sends a command to the owner of <paramref name="key"/> and returns its reply, following redirects.</summary>
    public async Task<RedisReply> ExecuteAsync(string key, params object[] args)
    {
        var server = await OwnerAsync(key).ConfigureAwait(false);
        for (var redirects = 0; ; redirects++)
        {
            var reply = await ClientFor(server).ExecuteAsync(args).ConfigureAwait(false);
            if (RedisEndpoint.Redirect(reply, out var ask) is not { } target)
            {
                return reply;
            }

            ThrowIfNotCluster(server, reply);
            if (redirects == MaxRedirects)
            {
                throw new RedisUnavailableException($"Redis Cluster kept redirecting {args[0]} for '{key}' (last: {reply.Text}); its slots are moving.");
            }

            if (ask)
            {
                return await AskAsync(target, args).ConfigureAwait(false);
            }

            RequestRefresh();
            server = target;
        }
    }

    /// <summary>Sends a command to the owner of <paramref name="key"/> without waiting for the reply.</summary>
    public async ValueTask FireAsync(string key, params object[] args)
    {
        var server = await OwnerAsync(key).ConfigureAwait(false);
        await ClientFor(server).FireAsync(args).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes once the owner of <paramref name="key"/> is known and connected (at once when both already are), so a
    /// command for that key issued next is queued in call order, not after a connect or a slot-map load.
    /// </summary>
    public async ValueTask EnsureConnectedAsync(string key)
    {
        var server = await OwnerAsync(key).ConfigureAwait(false);
        await ClientFor(server).EnsureConnectedAsync().ConfigureAwait(false);
    }

    /// <summary>Publishes <paramref name="payload"/> on <paramref name="channel"/> and returns how many subscribers got it.</summary>
    public Task<RedisReply> PublishAsync(string channel, byte[] payload) =>
        ExecuteAsync(channel, IsCluster ? "SPUBLISH" : "PUBLISH", channel, payload);

    /// <summary>Publishes without waiting for the reply.</summary>
    public ValueTask FirePublishAsync(string channel, byte[] payload) =>
        FireAsync(channel, IsCluster ? "SPUBLISH" : "PUBLISH", channel, payload);

    /// <summary>Subscribes on the server owning <paramref name="channel"/> (now, or once the slot map is known).</summary>
    public Task SubscribeAsync(string channel)
    {
        RedisSubscriber? subscriber;
        lock (_gate)
        {
            if (!_wanted.Add(channel))
            {
                return Task.CompletedTask;
            }

            subscriber = PlaceLocked(channel);
        }

        return subscriber?.SubscribeAsync(channel) ?? Task.CompletedTask;
    }

    /// <summary>Stops listening to <paramref name="channel"/>.</summary>
    public Task UnsubscribeAsync(string channel)
    {
        RedisSubscriber? subscriber;
        lock (_gate)
        {
            _wanted.Remove(channel);
            _placed.Remove(channel, out subscriber);
        }

        return subscriber?.UnsubscribeAsync(channel) ?? Task.CompletedTask;
    }

    /// <summary>The server owning <paramref name="key"/>, for a command that needs a connection of its own (BRPOP).</summary>
    public ValueTask<EndPoint> OwnerAsync(string key)
    {
        var topology = _topology;
        return topology is not null ? ValueTask.FromResult(topology.OwnerOf(key)) : new ValueTask<EndPoint>(DiscoverOwnerAsync(key));
    }

    /// <summary>A client for one server, created on first use.</summary>
    public RedisClient ClientFor(EndPoint server) =>
        _clients.GetOrAdd(server, static (endpoint, router) => new RedisClient(endpoint, router._connectTimeout, router.OnFireError), this);

    /// <summary>True when every slot-owning server answers PING within <paramref name="timeout"/> and the subscribers are connected.</summary>
    public async Task<bool> PingAsync(TimeSpan timeout)
    {
        if (!SubscribersConnected)
        {
            return false;
        }

        var answers = await Task.WhenAll(Masters.Select(m => ClientFor(m).PingAsync(timeout))).ConfigureAwait(false);
        return answers.Length > 0 && answers.All(ok => ok);
    }

    /// <summary>Asks for the slot map again soon (at most one refresh runs at a time).</summary>
    public void RequestRefresh()
    {
        if (IsCluster && _refreshWanted.CurrentCount == 0)
        {
            try
            {
                _refreshWanted.Release();
            }
            catch (SemaphoreFullException)
            {
                // another caller asked first; one refresh serves both
            }
        }
    }

    /// <summary>Fetches the slot map now and moves subscriptions whose slot changed owner. False if no server answered.</summary>
    public async Task<bool> RefreshAsync()
    {
        if (!IsCluster)
        {
            return true;
        }

        await _refreshing.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var server in _seeds.Concat(Masters).Distinct())
            {
                try
                {
                    var reply = await ClientFor(server).ExecuteAsync("CLUSTER", "SLOTS").WaitAsync(_connectTimeout).ConfigureAwait(false);
                    if (reply.IsError)
                    {
                        _lastTopologyError = $"{server} answered CLUSTER SLOTS with '{reply.Text}'";
                        continue;
                    }

                    var topology = RedisTopology.FromClusterSlots(reply, server);
                    var previous = _topology;
                    if (previous is null || !previous.SameAs(topology))
                    {
                        _topology = topology;
                        Log.Topology(_logger, server.ToString()!, string.Join(", ", topology.Masters));
                        await MoveSubscriptionsAsync().ConfigureAwait(false);
                    }

                    return true;
                }
                catch (Exception ex) when (ex is RedisUnavailableException or TimeoutException or FormatException)
                {
                    _lastTopologyError = $"{server}: {ex.Message}";
                }
            }

            return false;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _refreshLoop.ConfigureAwait(false);
        RedisSubscriber[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers.Values];
        }

        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<EndPoint> DiscoverOwnerAsync(string key)
    {
        if (!await RefreshAsync().ConfigureAwait(false) || _topology is not { } topology)
        {
            throw new RedisUnavailableException($"Redis Cluster is unreachable: no node among {string.Join(", ", _seeds.Select(s => s.ToString()))} answered CLUSTER SLOTS ({_lastTopologyError}).");
        }

        return topology.OwnerOf(key);
    }

    /// <summary>
    /// ASK means the slot is migrating and this one key already lives on the target: the command must
    /// follow ASKING on the same connection, so it gets a short connection of its own.
    /// </summary>
    private async Task<RedisReply> AskAsync(EndPoint target, object[] args)
    {
        await using var connection = await RedisConnection.ConnectAsync(target, _connectTimeout).ConfigureAwait(false);
        var asking = connection.ExecuteAsync("ASKING");
        var reply = connection.ExecuteAsync(args);
        (await asking.ConfigureAwait(false)).ThrowIfError("ASKING");
        return await reply.ConfigureAwait(false);
    }

    private void ThrowIfNotCluster(EndPoint server, RedisReply reply)
    {
        if (!IsCluster)
        {
            throw new RedisUnavailableException(
                $"Redis at {server} answered '{reply.Text}': it is a Redis Cluster node. List two or more of the cluster's nodes in node.redis, so the layer routes by slot and uses sharded pub/sub.");
        }
    }

    private void OnFireError(string error)
    {
        if (error.StartsWith("MOVED ", StringComparison.Ordinal) || error.StartsWith("ASK ", StringComparison.Ordinal))
        {
            RequestRefresh(); // this one command is lost (and reported below); the next goes to the new owner
        }

        _onFireError(error);
    }

    /// <summary>Picks the subscriber for <paramref name="channel"/>'s slot, or none while the slot map is unknown. Under <see cref="_gate"/>.</summary>
    private RedisSubscriber? PlaceLocked(string channel)
    {
        if (_topology is not { } topology)
        {
            return null; // placed by the first refresh
        }

        EndPoint owner;
        try
        {
            owner = topology.OwnerOf(channel);
        }
        catch (RedisUnavailableException)
        {
            return null; // an uncovered slot: placed when a refresh finds its owner
        }

        var subscriber = SubscriberFor(owner);
        _placed[channel] = subscriber;
        return subscriber;
    }

    private RedisSubscriber SubscriberFor(EndPoint server)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(server, out var subscriber))
            {
                subscriber = new RedisSubscriber(server, _connectTimeout, _onMessage, _logger, sharded: IsCluster, onRedirected: RequestRefresh);
                _subscribers[server] = subscriber;
            }

            return subscriber;
        }
    }

    /// <summary>After the slot map changed: every wanted channel not on its slot's owner leaves the old subscriber and joins the new one.</summary>
    private async Task MoveSubscriptionsAsync()
    {
        var moves = new List<(string Channel, RedisSubscriber? From, RedisSubscriber To)>();
        lock (_gate)
        {
            foreach (var channel in _wanted)
            {
                _placed.TryGetValue(channel, out var from);
                if (PlaceLocked(channel) is { } to && !ReferenceEquals(from, to))
                {
                    moves.Add((channel, from, to));
                }
            }
        }

        foreach (var (channel, from, to) in moves)
        {
            if (from is not null)
            {
                await from.UnsubscribeAsync(channel).ConfigureAwait(false);
            }

            await to.SubscribeAsync(channel).ConfigureAwait(false);
        }
    }

    private async Task RefreshLoopAsync(TimeSpan interval)
    {
        while (!_stop.IsCancellationRequested)
        {
            await RefreshAsync().ConfigureAwait(false);
            try
            {
                // Until the map is known, ask often; afterwards on the interval or when a redirect asks.
                await _refreshWanted.WaitAsync(_topology is null ? TimeSpan.FromMilliseconds(250) : interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(220, LogLevel.Information, "Redis Cluster slot map from {Source}: masters {Masters}")]
        public static partial void Topology(ILogger logger, string source, string masters);
    }
}
