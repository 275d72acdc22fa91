using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// The channel layer across many nodes, with Redis as the engine between them. Each node keeps its own
/// rooms (as the in-memory layer does) and Redis carries what crosses nodes: a group message is
/// published once and every other node hands it to its local room; a send to another node's process-local
/// channel is one publish to that node; named channels no actor is bound to are Redis lists, so a worker on
/// any node can receive from them. While Redis is unreachable, local rooms keep working, cross-node sends
/// fail with <see cref="RedisUnavailableException"/> (direct sends) or are counted and logged (group sends).
/// </summary>
public sealed partial class RedisChannelLayer : IChannelLayer, IChannelLayerHealth, IGroupSubscriptions
{
    // KEYS[1] list, ARGV[1] capacity, ARGV[2] entry: push only below capacity, atomically.
    private const string PushIfRoom = "if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end redis.call('LPUSH', KEYS[1], ARGV[2]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1";

    private readonly RedisLayerOptions _redis;
    private readonly RedisKeys _keys;
    private readonly LocalRooms _rooms;
    private readonly ChannelBuffers _localBuffers;
    private readonly CapacityPolicy _capacity;
    private readonly RedisRouter _router;
    private readonly RedisListSink _listSink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _heartbeat;
    private long _lastFailureLog;
    private long _unloggedFailures;

    /// <summary>Creates the layer and starts connecting; the node serves local traffic even before Redis answers.</summary>
    /// <param name="system">The actor system that hosts the mediator and rooms.</param>
    /// <param name="options">Layer settings; defaults when null. Invalid values throw at once.</param>
    /// <param name="redis">Where Redis is and how the layer uses it.</param>
    /// <param name="loggers">Where connection failures are logged; nowhere when null.</param>
    /// <param name="meterFactory">Scopes the layer's meter to a node (its DI container); a process-wide meter when null.</param>
    /// <param name="time">The clock for expiry and the membership heartbeat; <see cref="TimeProvider.System"/> when null.</param>
    public RedisChannelLayer(ActorSystem system, ChannelLayerOptions? options, RedisLayerOptions redis, ILoggerFactory? loggers = null, IMeterFactory? meterFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(redis);
        Options = options ?? new ChannelLayerOptions();
        Options.ThrowIfInvalid();
        redis.Validate();
        _redis = redis;
        _keys = new RedisKeys(redis.KeyPrefix);
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("ActorChat.ChannelLayer.Redis");
        Stats = new ChannelLayerStats(meterFactory);
        _capacity = new CapacityPolicy(Options);
        _localBuffers = new ChannelBuffers(Options, _capacity, Stats, _time);
        _router = new RedisRouter(redis.ParseEndpoints(), redis.ConnectTimeout, redis.HeartbeatInterval, OnPublished, error => CrossNodeFailed(new RedisUnavailableException(error)), _logger);
        _listSink = new RedisListSink(this);
        _rooms = new LocalRooms(system, new RoomContext(Options, Stats, _time, _listSink), "channel-layer-" + redis.NodeId, this);
        _ = _router.SubscribeAsync(_keys.Node(redis.NodeId));
        _heartbeat = _time.CreateTimer(_ => _ = RefreshMembershipAsync(), null, TimeSpan.Zero, redis.HeartbeatInterval);
    }

    /// <inheritdoc />
    public ChannelLayerOptions Options { get; }

    /// <inheritdoc />
    public ChannelLayerStats Stats { get; }

    /// <summary>This node's id.</summary>
    public string NodeId => _redis.NodeId;

    /// <summary>How many room actors this node has now.</summary>
    public int RoomCount => _rooms.RoomCount;

    /// <summary>How many times subscriber connections have been established, summed over the Redis servers (one per server until Redis restarts).</summary>
    public int SubscriberConnections => _router.SubscriberConnections;

    /// <summary>True when the layer speaks to Redis Cluster with sharded pub/sub.</summary>
    public bool IsCluster => _router.IsCluster;

    /// <summary>Waits until the pub/sub connections are up (and, for a cluster, the slot map is known), for tests and orderly startup.</summary>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!_router.SubscribersConnected && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        return _router.SubscribersConnected;
    }

    /// <inheritdoc />
    public ValueTask<string> NewChannelAsync(string prefix = "specific", CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(prefix);
        return ValueTask.FromResult($"{prefix}.{NodeId}!{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.Sent();
        if (ChannelNames.IsProcessLocal(channel))
        {
            var owner = OwnerOf(channel);
            if (owner == NodeId)
            {
                DeliverLocally(channel, message, throwIfFull: true);
                return;
            }

            await PublishOrFailAsync(_keys.Node(owner), Frame(channel, message)).ConfigureAwait(false);
            return;
        }

        var capacity = _capacity.For(channel);
        RedisReply reply;
        try
        {
            reply = await PushToListAsync(channel, message, capacity).ConfigureAwait(false);
        }
        catch (RedisUnavailableException ex)
        {
            CrossNodeFailed(ex);
            throw;
        }

        if (reply.ThrowIfError("a send").Integer == 0)
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
            var owner = OwnerOf(channel);
            return owner == NodeId
                ? await _localBuffers.ReadAsync(channel, cancellationToken).ConfigureAwait(false)
                : throw new InvalidOperationException($"Channel '{channel}' is process-local to node '{owner}'; only that node can receive from it.");
        }

        return await ReceiveFromListAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        RefuseRemote(channel, "added to a group");
        await _rooms.JoinAsync(group, channel, cancellationToken).ConfigureAwait(false);
        await RecordMembershipAsync(group, add: channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        RefuseRemote(channel, "discarded from a group");
        await _rooms.LeaveAsync(group, channel, cancellationToken).ConfigureAwait(false);
        await RecordMembershipAsync(group, remove: channel).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.GroupSent();
        _rooms.Publish(group, message); // local members never wait on Redis
        try
        {
            await _router.FirePublishAsync(_keys.Group(group), Frame(NodeId, message)).ConfigureAwait(false);
        }
        catch (RedisUnavailableException ex)
        {
            CrossNodeFailed(ex); // local delivery went through; the other nodes miss this one, and it is counted
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> GroupMembersAsync(string group, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        var members = new HashSet<string>(await _rooms.MembersAsync(group, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        try
        {
            var nodesKey = _keys.GroupNodes(group);
            var nodes = await _router.ExecuteAsync(nodesKey, "SMEMBERS", nodesKey).ConfigureAwait(false);
            foreach (var node in nodes.Items ?? [])
            {
                var id = node.AsString()!;
                if (id == NodeId)
                {
                    continue;
                }

                var membersKey = _keys.Members(group, id);
                var remote = await _router.ExecuteAsync(membersKey, "SMEMBERS", membersKey).ConfigureAwait(false);
                if (remote.Items is not { Length: > 0 } items)
                {
                    await _router.FireAsync(nodesKey, "SREM", nodesKey, id).ConfigureAwait(false); // its entries expired: a dead node
                    continue;
                }

                members.UnionWith(items.Select(i => i.AsString()!));
            }
        }
        catch (RedisUnavailableException ex)
        {
            CrossNodeFailed(ex); // without Redis, this node knows only its own members
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
        foreach (var server in _router.Masters)
        {
            var client = _router.ClientFor(server);
            var cursor = "0";
            do
            {
                var page = (await client.ExecuteAsync("SCAN", cursor, "MATCH", _keys.Prefix + ":*", "COUNT", 1000).ConfigureAwait(false)).ThrowIfError("SCAN");
                cursor = page.Items![0].AsString()!;
                foreach (var key in page.Items[1].Items!)
                {
                    // One key per DEL: in a cluster, one command's keys must share a slot.
                    await client.FireAsync("DEL", key.AsString()!).ConfigureAwait(false);
                }
            }
            while (cursor != "0");

            (await client.ExecuteAsync("PING").ConfigureAwait(false)).ThrowIfError("PING"); // replies come in order: the DELs are done
        }
    }

    /// <summary>Ready when the pub/sub connections are up and every Redis server that owns slots answers.</summary>
    public async ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default) =>
        await _router.PingAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        await _listSink.DisposeAsync().ConfigureAwait(false); // pushes the rooms already made still go out
        await _router.DisposeAsync().ConfigureAwait(false);
        Stats.Dispose();
    }

    Task IGroupSubscriptions.SubscribeAsync(string group) => _router.SubscribeAsync(_keys.Group(group));

    Task IGroupSubscriptions.UnsubscribeAsync(string group) => _router.UnsubscribeAsync(_keys.Group(group));

    /// <summary>
    /// A message from Redis, <c>head\ntype\nfields</c>: another node's group message (head = its node id), or a direct
    /// send to one of this node's channels (head = the channel). The fields are adopted as sent, never re-parsed.
    /// </summary>
    private void OnPublished(string redisChannel, byte[] payload)
    {
        var first = Array.IndexOf(payload, (byte)'\n');
        var second = first < 0 ? -1 : Array.IndexOf(payload, (byte)'\n', first + 1);
        if (first <= 0 || second <= first + 1)
        {
            Log.BadFrame(_logger, redisChannel, "expected head, type and fields on three lines");
            return;
        }

        var head = Encoding.UTF8.GetString(payload, 0, first);
        ChannelMessage message;
        try
        {
            message = ChannelMessage.FromPayloadJson(Encoding.ASCII.GetString(payload, first + 1, second - first - 1), payload[(second + 1)..]);
        }
        catch (FormatException ex)
        {
            Log.BadFrame(_logger, redisChannel, ex.Message);
            return;
        }

        if (redisChannel.StartsWith(_keys.Group(""), StringComparison.Ordinal))
        {
            if (head != NodeId)
            {
                _rooms.Publish(redisChannel[_keys.Group("").Length..], message); // our own publish was delivered locally already
            }
        }
        else
        {
            DeliverLocally(head, message, throwIfFull: false);
        }
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

    private async Task<ChannelMessage> ReceiveFromListAsync(string channel, CancellationToken cancellationToken)
    {
        // BRPOP blocks its connection, so each waiting receiver gets its own, to the list's owner.
        var key = _keys.List(channel);
        var server = await _router.OwnerAsync(key).ConfigureAwait(false);
        while (true)
        {
            await using var connection = await RedisConnection.ConnectAsync(server, _redis.ConnectTimeout).ConfigureAwait(false);
            await using var cancel = cancellationToken.Register(static c => _ = ((RedisConnection)c!).DisposeAsync().AsTask(), connection);
            var (message, movedTo) = await PopAsync(connection, key, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            server = movedTo!; // the list's slot moved to another cluster node: wait there
            _router.RequestRefresh();
        }
    }

    /// <summary>Waits on one connection for an unexpired entry, or returns the server a MOVED redirect names.</summary>
    private async Task<(ChannelMessage? Message, System.Net.EndPoint? MovedTo)> PopAsync(RedisConnection connection, string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RedisReply reply;
            try
            {
                reply = await connection.ExecuteAsync("BRPOP", key, "1").ConfigureAwait(false);
            }
            catch (RedisUnavailableException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            if (RedisEndpoint.Redirect(reply, out _) is { } movedTo)
            {
                return (null, movedTo);
            }

            if (reply.ThrowIfError("BRPOP").Items is not { Length: 2 } popped || popped[1].Bulk is not { } entry)
            {
                continue; // timed out; wait again
            }

            var (expiresAt, message) = ReadListEntry(entry);
            if (expiresAt <= _time.GetUtcNow().UtcTicks)
            {
                Stats.DroppedExpired(1);
                continue;
            }

            return (message, null);
        }
    }

    private async Task PublishOrFailAsync(string redisChannel, byte[] frame)
    {
        try
        {
            (await _router.PublishAsync(redisChannel, frame).ConfigureAwait(false)).ThrowIfError("PUBLISH");
            Stats.Delivered(1);
        }
        catch (RedisUnavailableException ex)
        {
            CrossNodeFailed(ex);
            throw;
        }
    }

    private async Task RecordMembershipAsync(string group, string? add = null, string? remove = null)
    {
        try
        {
            var key = _keys.Members(group, NodeId);
            // Awaited (not fired): once GroupAdd/GroupDiscard returns, every node sees the change.
            if (add is not null)
            {
                await _router.ExecuteAsync(key, "SADD", key, add).ConfigureAwait(false);
                await _router.ExecuteAsync(key, "PEXPIRE", key, (long)_redis.MembershipTtl.TotalMilliseconds).ConfigureAwait(false);
                var nodesKey = _keys.GroupNodes(group);
                await _router.ExecuteAsync(nodesKey, "SADD", nodesKey, NodeId).ConfigureAwait(false);
            }

            if (remove is not null)
            {
                await _router.ExecuteAsync(key, "SREM", key, remove).ConfigureAwait(false);
            }
        }
        catch (RedisUnavailableException ex)
        {
            CrossNodeFailed(ex); // the next heartbeat rewrites the entries from this node's rooms
        }
    }

    /// <summary>Rewrites this node's membership entries from its rooms, which are the truth, and renews their TTL.</summary>
    private async Task RefreshMembershipAsync()
    {
        try
        {
            foreach (var group in _rooms.Groups)
            {
                var members = await _rooms.MembersAsync(group, CancellationToken.None).ConfigureAwait(false);
                var key = _keys.Members(group, NodeId);
                await _router.FireAsync(key, "DEL", key).ConfigureAwait(false);
                if (members.Count > 0)
                {
                    await _router.FireAsync(key, ["SADD", key, .. members]).ConfigureAwait(false);
                    await _router.FireAsync(key, "PEXPIRE", key, (long)_redis.MembershipTtl.TotalMilliseconds).ConfigureAwait(false);
                    var nodesKey = _keys.GroupNodes(group);
                    await _router.FireAsync(nodesKey, "SADD", nodesKey, NodeId).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is RedisUnavailableException or AskTimeoutException)
        {
            // Redis is down or a room is busy: the next beat tries again.
        }
    }

    private void RefuseRemote(string channel, string what)
    {
        if (ChannelNames.IsProcessLocal(channel) && OwnerOf(channel) != NodeId)
        {
            throw new NotSupportedException($"Channel '{channel}' is process-local to node '{OwnerOf(channel)}'; it can only be {what} on that node.");
        }
    }

    private void CrossNodeFailed(Exception ex)
    {
        Stats.CrossNodeFailed();
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastFailureLog) < 5_000)
        {
            Interlocked.Increment(ref _unloggedFailures);
            return;
        }

        Interlocked.Exchange(ref _lastFailureLog, now);
        Log.CrossNodeFailure(_logger, ex.Message, Interlocked.Exchange(ref _unloggedFailures, 0));
    }

    /// <summary>The node id in <c>prefix.node!suffix</c>.</summary>
    private static string OwnerOf(string channel)
    {
        var bang = channel.IndexOf('!');
        var dot = channel.LastIndexOf('.', bang);
        return channel[(dot + 1)..bang];
    }

    /// <summary><c>head\ntype\nfields</c>: the fields are the message's one encoding, so nobody re-encodes or re-parses it.</summary>
    private static byte[] Frame(string head, ChannelMessage message)
    {
        var fields = message.PayloadJson.Span;
        var frame = new byte[Encoding.UTF8.GetByteCount(head) + 1 + message.Type.Length + 1 + fields.Length];
        var at = Encoding.UTF8.GetBytes(head, frame);
        frame[at++] = (byte)'\n';
        at += Encoding.ASCII.GetBytes(message.Type, frame.AsSpan(at));
        frame[at++] = (byte)'\n';
        fields.CopyTo(frame.AsSpan(at));
        return frame;
    }

    /// <summary>Pushes onto a named channel's list only below <paramref name="capacity"/>; the reply is 1 when pushed, 0 when full.</summary>
    private Task<RedisReply> PushToListAsync(string channel, ChannelMessage message, int capacity)
    {
        var key = _keys.List(channel);
        return _router.ExecuteAsync(key, "EVAL", PushIfRoom, "1", key, capacity, ListEntry(message), (long)Options.Expiry.TotalMilliseconds);
    }

    private byte[] ListEntry(ChannelMessage message) =>
        Frame((_time.GetUtcNow() + Options.Expiry).UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), message);

    /// <summary>Reads a list entry written by <see cref="ListEntry"/>: expiry, type, fields.</summary>
    private static (long ExpiresAt, ChannelMessage Message) ReadListEntry(byte[] entry)
    {
        var first = Array.IndexOf(entry, (byte)'\n');
        var second = Array.IndexOf(entry, (byte)'\n', first + 1);
        var expiresAt = long.Parse(Encoding.ASCII.GetString(entry, 0, first), System.Globalization.CultureInfo.InvariantCulture);
        return (expiresAt, ChannelMessage.FromPayloadJson(Encoding.ASCII.GetString(entry, first + 1, second - first - 1), entry[(second + 1)..]));
    }

    /// <summary>
    /// Delivers a room's plain-channel members into their Redis lists, so any node's worker can receive them. A room
    /// cannot wait for Redis, so the pushes are queued here and issued by one loop, in the order the room made them.
    /// Before each push the loop waits until the list's master is known and connected. Without that, pushes started
    /// while a connection was still opening could pass each other and reach the list out of order.
    /// </summary>
    private sealed class RedisListSink : IChannelSink, IAsyncDisposable
    {
        private readonly RedisChannelLayer _layer;
        private readonly Channel<(string Channel, ChannelMessage Message)> _pushes =
            Channel.CreateUnbounded<(string, ChannelMessage)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _pump;

        public RedisListSink(RedisChannelLayer layer)
        {
            _layer = layer;
            _pump = Task.Run(PumpAsync);
        }

        public bool TryDeliver(string channel, ChannelMessage message)
        {
            _pushes.Writer.TryWrite((channel, message));
            return true; // counted when Redis answers: a full list is a drop, as in the in-memory layer
        }

        public async ValueTask DisposeAsync()
        {
            _pushes.Writer.TryComplete();
            await _pump.ConfigureAwait(false);
        }

        private async Task PumpAsync()
        {
            await foreach (var (channel, message) in _pushes.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await _layer._router.EnsureConnectedAsync(_layer._keys.List(channel)).ConfigureAwait(false);
                }
                catch (RedisUnavailableException ex)
                {
                    _layer.CrossNodeFailed(ex);
                    continue;
                }

                _ = PushAsync(channel, message); // queued on the connection before this returns; the reply is awaited there
            }
        }

        private async Task PushAsync(string channel, ChannelMessage message)
        {
            try
            {
                var reply = await _layer.PushToListAsync(channel, message, _layer._capacity.For(channel)).ConfigureAwait(false);
                if (reply.Integer == 0)
                {
                    _layer.Stats.DroppedFull(1);
                }
            }
            catch (RedisUnavailableException ex)
            {
                _layer.CrossNodeFailed(ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(210, LogLevel.Warning, "Cross-node traffic failed: {Problem} ({Suppressed} more failures since the last line)")]
        public static partial void CrossNodeFailure(ILogger logger, string problem, long suppressed);

        [LoggerMessage(211, LogLevel.Warning, "Ignored a malformed message on Redis channel {Channel}: {Problem}")]
        public static partial void BadFrame(ILogger logger, string channel, string problem);
    }
}
