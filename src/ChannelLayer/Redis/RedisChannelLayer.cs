using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// The channel layer across many nodes, with Redis as the engine between them, through StackExchange.Redis (one
/// multiplexer per node). Each node keeps its own rooms (as the in-memory layer does) and Redis carries what crosses
/// nodes: a group message is published once on the group's pub/sub channel (sharded on a Redis Cluster) and every other
/// node with a room for it hands it to that room; a send to another node's process-local channel is one publish to that
/// node; named channels no actor is bound to are Redis lists, so a worker on any node can receive from them. While Redis
/// is unreachable, local rooms keep working, cross-node sends fail with <see cref="RedisUnavailableException"/> (direct
/// sends) or are counted and logged (group sends).
/// </summary>
/// <remarks>
/// Each subscription is read through its own <see cref="ChannelMessageQueue"/>, one message after another: the order
/// Redis delivers a channel's messages in (each sender's order) is the order its room gets them. Handler callbacks would
/// run concurrently and could reorder them.
/// </remarks>
public sealed partial class RedisChannelLayer : IChannelLayer, IChannelLayerHealth, IGroupSubscriptions
{
    private readonly RedisLayerOptions _options;
    private readonly RedisKeys _keys;
    private readonly RedisMultiplexer _redis;
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _nodeChannel;
    private readonly RedisWorkerLists _lists;
    private readonly LocalRooms _rooms;
    private readonly ChannelBuffers _localBuffers;
    private readonly CapacityPolicy _capacity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _heartbeat;
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _groupQueues = new(StringComparer.Ordinal);
    private readonly Task _nodeSubscribed;
    private readonly RedisPresenceStore _presenceStore;
    private readonly NodePresence _presence;
    private long _lastFailureLog;
    private long _unloggedFailures;

    /// <summary>Creates the layer and connects; the node serves local traffic even while Redis does not answer.</summary>
    /// <param name="system">The actor system that hosts the mediator and rooms.</param>
    /// <param name="options">Layer settings; defaults when null. Invalid values throw at once.</param>
    /// <param name="redis">Where Redis is and how the layer uses it.</param>
    /// <param name="loggers">Where connection failures are logged; nowhere when null.</param>
    /// <param name="meterFactory">Scopes the layer's meters to a node (its DI container); process-wide meters when null.</param>
    /// <param name="time">The clock for expiry and the membership heartbeat; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RedisChannelLayer(ActorSystem system, ChannelLayerOptions? options, RedisLayerOptions redis, ILoggerFactory? loggers = null, IMeterFactory? meterFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(redis);
        Options = options ?? new ChannelLayerOptions();
        Options.ThrowIfInvalid();
        redis.Validate();
        _options = redis;
        _keys = new RedisKeys(redis.KeyPrefix);
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("ActorChat.ChannelLayer.Redis");
        Stats = new ChannelLayerStats(meterFactory);
        _capacity = new CapacityPolicy(Options);
        _localBuffers = new ChannelBuffers(Options, _capacity, Stats, _time);
        _redis = new RedisMultiplexer(redis.ToConfiguration(), _logger, meterFactory);
        _subscriber = _redis.Connection.GetSubscriber();
        _lists = new RedisWorkerLists(_redis, _keys, _time);
        _rooms = new LocalRooms(system, new RoomContext(Options, Stats, _time, new ListSink(this)), "channel-layer-" + redis.NodeId, this);
        _nodeChannel = _redis.Channel(_keys.Node(redis.NodeId));
        _nodeSubscribed = SubscribeInOrderAsync(_nodeChannel, OnDirectSend);
        _heartbeat = _time.CreateTimer(_ => _ = RefreshMembershipAsync(), null, TimeSpan.Zero, redis.HeartbeatInterval);
        _presenceStore = new RedisPresenceStore(_redis, _keys, redis, _time, Options.PresenceDiffInterval);
        _presence = new NodePresence(system, "channel-layer-" + redis.NodeId + "-presence", redis.NodeId, Options, Stats, _time, _presenceStore, (group, message) => GroupSendAsync(group, message));
    }

    /// <inheritdoc />
    public ChannelLayerOptions Options { get; }

    /// <inheritdoc />
    public ChannelLayerStats Stats { get; }

    /// <summary>This node's id.</summary>
    public string NodeId => _options.NodeId;

    /// <summary>How many room actors this node has now.</summary>
    public int RoomCount => _rooms.RoomCount;

    /// <summary>How many times the connection that carries subscriptions came up, summed over the Redis servers (one per server until Redis restarts).</summary>
    public int SubscriberConnections => _redis.SubscriberConnections;

    /// <summary>True when the layer speaks to Redis Cluster with sharded pub/sub (two or more endpoints configured).</summary>
    public bool IsCluster => _redis.IsCluster;

    /// <summary>Waits until Redis is connected and this node's own channel is subscribed, for tests and orderly startup.</summary>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout)
    {
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (!(_nodeSubscribed.IsCompletedSuccessfully && _redis.Connection.IsConnected && _subscriber.IsConnected(_nodeChannel)))
        {
            if (_time.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    /// <inheritdoc />
    public ValueTask<string> NewChannelAsync(string prefix = "specific", CancellationToken cancellationToken = default)
        => ValueTask.FromResult(ChannelNames.NewProcessLocal(prefix, NodeId));

    /// <inheritdoc />
    public async ValueTask SendAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.Sent();
        if (ChannelNames.IsProcessLocal(channel))
        {
            var owner = ChannelNames.NodeOf(channel);
            if (owner == NodeId)
            {
                DeliverLocally(channel, message, throwIfFull: true);
                return;
            }

            await CrossNodeAsync(() => _subscriber.PublishAsync(_redis.Channel(_keys.Node(owner)), RedisFrame.Write(channel, message))).ConfigureAwait(false);
            Stats.Delivered(1);
            return;
        }

        var capacity = _capacity.For(channel);
        if (!await CrossNodeAsync(() => _lists.PushAsync(channel, message, capacity, Options.Expiry)).ConfigureAwait(false))
        {
            throw new ChannelFullException(channel, capacity);
        }

        Stats.Delivered(1);
    }

    /// <inheritdoc />
    public async ValueTask<ChannelMessage> ReceiveAsync(string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        _rooms.ThrowIfBound(channel);
        if (ChannelNames.IsProcessLocal(channel))
        {
            var owner = ChannelNames.NodeOf(channel);
            return owner == NodeId
                ? await _localBuffers.ReadAsync(channel, cancellationToken).ConfigureAwait(false)
                : throw new InvalidOperationException($"Channel '{channel}' is process-local to node '{owner}'; only that node can receive from it.");
        }

        return await _lists.PopAsync(channel, Stats.DroppedExpired, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "added to a group");
        await _rooms.JoinAsync(group, channel, cancellationToken).ConfigureAwait(false);
        await RecordMembershipAsync(group, add: channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "discarded from a group");
        await _presence.LeaveAndUntrackAsync(_rooms, group, channel, cancellationToken).ConfigureAwait(false);
        await RecordMembershipAsync(group, remove: channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupAddAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "added to a group");
        await _presence.JoinAndTrackAsync(_rooms, group, channel, presence, cancellationToken).ConfigureAwait(false);
        await RecordMembershipAsync(group, add: channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask TrackAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "tracked");
        return _presence.TrackAsync(group, channel, presence, _rooms.Binding(channel)?.Actor, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask UntrackAsync(string group, string channel, CancellationToken cancellationToken = default) =>
        _presence.UntrackAsync(group, channel, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PresenceEntry>> PresenceAsync(string group, CancellationToken cancellationToken = default) =>
        _presence.ListAsync(group, cancellationToken);

    /// <inheritdoc />
    public ValueTask GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.GroupSent();
        _rooms.Publish(group, message); // local members never wait on Redis
        var channel = _redis.Channel(_keys.Group(group));
        if (!_subscriber.IsConnected(channel))
        {
            CrossNodeFailed("Redis is unreachable: a group message reached this node's members only"); // counted, not retried
            return ValueTask.CompletedTask;
        }

        // Fire and forget: written in call order on the connection, so each sender's order holds; nobody waits for Redis.
        _subscriber.Publish(channel, RedisFrame.Write(NodeId, message), CommandFlags.FireAndForget);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> GroupMembersAsync(string group, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        var members = new HashSet<string>(await _rooms.MembersAsync(group, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var database = _redis.Connection.GetDatabase();
        try
        {
            var nodesKey = _keys.GroupNodes(group);
            foreach (var node in await database.SetMembersAsync(nodesKey).ConfigureAwait(false))
            {
                var id = node.ToString();
                if (id == NodeId)
                {
                    continue;
                }

                var remote = await database.SetMembersAsync(_keys.Members(group, id)).ConfigureAwait(false);
                if (remote.Length == 0)
                {
                    database.SetRemove(nodesKey, id, CommandFlags.FireAndForget); // its entries expired: a dead node
                    continue;
                }

                members.UnionWith(remote.Select(m => m.ToString()));
            }
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            CrossNodeFailed(ex.Message); // without Redis, this node knows only its own members
        }

        return members;
    }

    /// <inheritdoc />
    public ChannelBinding Bind(string channel, IActorRef actor, IMessageRelay? relay = null) => _rooms.Bind(channel, actor, _capacity.For(channel), relay);

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _localBuffers.Clear();
        await _rooms.FlushAsync(cancellationToken).ConfigureAwait(false);
        var database = _redis.Connection.GetDatabase();
        foreach (var server in _redis.Masters)
        {
            var deletes = new List<Task>();
            await foreach (var key in server.KeysAsync(pattern: _keys.Prefix + ":*", pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                deletes.Add(database.KeyDeleteAsync(key)); // one key per DEL: in a cluster, one command's keys must share a slot
            }

            await Task.WhenAll(deletes).ConfigureAwait(false);
        }
    }

    /// <summary>Ready when this node's subscriptions are connected and every Redis master answers PING.</summary>
    public async ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default) =>
        _subscriber.IsConnected(_nodeChannel) && await _redis.PingAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        await _presenceStore.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
        Stats.Dispose();
    }

    Task IGroupSubscriptions.SubscribeAsync(string group) =>
        SubscribeInOrderAsync(_redis.Channel(_keys.Group(group)), frame => OnGroupMessage(group, frame), queue => _groupQueues[group] = queue);

    async Task IGroupSubscriptions.UnsubscribeAsync(string group)
    {
        if (_groupQueues.TryRemove(group, out var queue))
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                // Redis is away: the subscription is gone from the multiplexer, which will not renew it.
            }
        }
    }

    /// <summary>
    /// Subscribes and reads the channel's messages one at a time, in the order Redis sends them. Awaited, so a join is in
    /// place before it returns. While Redis is away the subscription is registered all the same and the multiplexer makes
    /// it when Redis is back.
    /// </summary>
    private async Task SubscribeInOrderAsync(RedisChannel channel, Action<byte[]> handle, Action<ChannelMessageQueue>? keep = null)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await _subscriber.SubscribeAsync(channel).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            CrossNodeFailed(ex.Message);
            // The failed call registered a queue nobody holds: drop it, then register one the multiplexer renews on reconnect.
            await _subscriber.UnsubscribeAsync(channel, null, CommandFlags.FireAndForget).ConfigureAwait(false);
            queue = await _subscriber.SubscribeAsync(channel, CommandFlags.FireAndForget).ConfigureAwait(false);
        }

        keep?.Invoke(queue);
        queue.OnMessage(message => handle((byte[])message.Message!));
    }

    /// <summary>Another node's group message; our own publish was delivered locally already.</summary>
    private void OnGroupMessage(string group, byte[] frame)
    {
        if (Read(frame, group) is var (head, message) && head != NodeId)
        {
            _rooms.Publish(group, message);
        }
    }

    /// <summary>A send from another node to one of this node's process-local channels (the head is the channel).</summary>
    private void OnDirectSend(byte[] frame)
    {
        if (Read(frame, "direct sends") is var (channel, message))
        {
            DeliverLocally(channel, message, throwIfFull: false);
        }
    }

    private (string Head, ChannelMessage Message)? Read(byte[] frame, string where)
    {
        if (RedisFrame.TryRead(frame, out var head, out var message, out var problem))
        {
            return (head, message!);
        }

        Log.BadFrame(_logger, where, problem!);
        return null;
    }

    private void DeliverLocally(string channel, ChannelMessage message, bool throwIfFull)
    {
        if (_rooms.TryDeliver(channel, message, _localBuffers))
        {
            Stats.Delivered(1);
        }
        else if (throwIfFull)
        {
            throw new ChannelFullException(channel, _capacity.For(channel));
        }
        else
        {
            Stats.DroppedFull(1); // the sender is on another node and cannot be told
        }
    }

    /// <summary>Runs a cross-node command; a Redis failure is counted, logged and rethrown as <see cref="RedisUnavailableException"/>.</summary>
    private async Task<T> CrossNodeAsync<T>(Func<Task<T>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            var unavailable = new RedisUnavailableException($"Redis is unreachable or refused the command: {ex.Message}", ex);
            CrossNodeFailed(unavailable.Message);
            throw unavailable;
        }
    }

    private async Task RecordMembershipAsync(string group, string? add = null, string? remove = null)
    {
        var database = _redis.Connection.GetDatabase();
        var key = _keys.Members(group, NodeId);
        try
        {
            // Awaited: once GroupAdd/GroupDiscard returns, every node sees the change. Issued together, answered in order.
            if (add is not null)
            {
                await Task.WhenAll(
                    database.SetAddAsync(key, add),
                    database.KeyExpireAsync(key, _options.MembershipTtl),
                    database.SetAddAsync(_keys.GroupNodes(group), NodeId)).ConfigureAwait(false);
            }

            if (remove is not null)
            {
                await database.SetRemoveAsync(key, remove).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            CrossNodeFailed(ex.Message); // the next heartbeat rewrites the entries from this node's rooms
        }
    }

    /// <summary>Rewrites this node's membership entries from its rooms, which are the truth, and renews their TTL.</summary>
    private async Task RefreshMembershipAsync()
    {
        var database = _redis.Connection.GetDatabase();
        try
        {
            foreach (var group in _rooms.Groups)
            {
                var members = await _rooms.MembersAsync(group, CancellationToken.None).ConfigureAwait(false);
                var key = _keys.Members(group, NodeId);
                var batch = database.CreateBatch();
                var writes = new List<Task> { batch.KeyDeleteAsync(key) };
                if (members.Count > 0)
                {
                    writes.Add(batch.SetAddAsync(key, [.. members.Select(m => (RedisValue)m)]));
                    writes.Add(batch.KeyExpireAsync(key, _options.MembershipTtl));
                    writes.Add(batch.SetAddAsync(_keys.GroupNodes(group), NodeId));
                }

                batch.Execute();
                await Task.WhenAll(writes).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisFailure.Is(ex) || ex is AskTimeoutException)
        {
            // Redis is down or a room is busy: the next beat tries again.
        }
    }

    private void CrossNodeFailed(string problem)
    {
        Stats.CrossNodeFailed();
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastFailureLog) < 5_000)
        {
            Interlocked.Increment(ref _unloggedFailures);
            return;
        }

        Interlocked.Exchange(ref _lastFailureLog, now);
        Log.CrossNodeFailure(_logger, problem, Interlocked.Exchange(ref _unloggedFailures, 0));
    }

    /// <summary>
    /// Delivers a room's plain-channel members into their Redis lists, so any node's worker can receive them. The room
    /// cannot wait for Redis: each push is issued at once, which puts it on the connection in the room's order, and its
    /// answer is awaited off the room's thread (a full list counts a drop, as in the in-memory layer).
    /// </summary>
    private sealed class ListSink(RedisChannelLayer layer) : IChannelSink
    {
        public bool TryDeliver(string channel, ChannelMessage message)
        {
            _ = PushAsync(channel, message);
            return true;
        }

        private async Task PushAsync(string channel, ChannelMessage message)
        {
            try
            {
                if (!await layer._lists.PushAsync(channel, message, layer._capacity.For(channel), layer.Options.Expiry).ConfigureAwait(false))
                {
                    layer.Stats.DroppedFull(1);
                }
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                layer.CrossNodeFailed(ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(210, LogLevel.Warning, "Cross-node traffic failed: {Problem} ({Suppressed} more failures since the last line)")]
        public static partial void CrossNodeFailure(ILogger logger, string problem, long suppressed);

        [LoggerMessage(211, LogLevel.Warning, "Ignored a malformed message from Redis ({Where}): {Problem}")]
        public static partial void BadFrame(ILogger logger, string where, string problem);
    }
}
