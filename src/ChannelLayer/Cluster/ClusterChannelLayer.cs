using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// The channel layer across the nodes of an Akka.NET cluster. Each node keeps its own rooms, as the in-memory layer
/// does, and the cluster pub-sub mediator carries what crosses nodes: a group message is handed to the local room and
/// sent once to every other node (<c>SendToAll</c>, batched with the others waiting, <see cref="ClusterOutbox"/>), where
/// that node's room fans it out. A join is local, so it is a
/// join across nodes as soon as it returns: every node that is ready receives every group send. Sends to another node's
/// channel go to that node's relay over Akka.Remote; worker channels are queues in a cluster singleton.
/// </summary>
/// <remarks>
/// Every group message reaches every node, members there or not (Phoenix's way). The alternative, a mediator topic per
/// group, would send only to nodes with members, but the mediator spreads a new topic by gossip in about a second, and
/// a group send in that second misses the new member; waiting for every node to learn every new topic would put that
/// second into joins. Here the only thing gossip must spread is one registration per node, once, before the node is
/// ready (see <see cref="ClusterRelay"/>). With members of a room on most nodes, as in a chat, the two send the same.
/// </remarks>
public sealed class ClusterChannelLayer : IChannelLayer, IChannelLayerHealth
{
    private readonly ActorSystem _system;
    private readonly ClusterLayerOptions _cluster;
    private readonly LocalRooms _rooms;
    private readonly ChannelBuffers _buffers;
    private readonly CapacityPolicy _capacity;
    private readonly ClusterOutbox _outbox;
    private readonly IActorRef _queues;
    private readonly IActorRef _client;
    private readonly ConcurrentDictionary<string, IActorRef> _peers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ChannelMessage>> _receivers = new();
    private readonly ClusterLayerState _state = new();
    private readonly TimeSpan _askTimeout;
    private readonly ILogger _logger;
    private readonly ClusterMetrics _metrics;
    private readonly NodePresence _presence;
    private readonly ClusterPresenceStore _presenceStore;
    private long _tickets;
    private int _warnedNotReady;

    /// <summary>Creates the layer on this node of the cluster <paramref name="system"/> belongs to.</summary>
    /// <param name="system">A system whose provider is the cluster one.</param>
    /// <param name="options">Layer settings; defaults when null. Invalid values throw at once.</param>
    /// <param name="nodeId">This node's id in channel names; unique in the cluster.</param>
    /// <param name="meterFactory">Scopes the layer's meter to a node (its DI container); a process-wide meter when null.</param>
    /// <param name="time">The clock for expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cluster">How the layer runs in the cluster; defaults when null.</param>
    /// <param name="loggers">Where the layer warns; nowhere when null.</param>
    public ClusterChannelLayer(ActorSystem system, string nodeId, ChannelLayerOptions? options = null, IMeterFactory? meterFactory = null,
        TimeProvider? time = null, ClusterLayerOptions? cluster = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        Options = options ?? new ChannelLayerOptions();
        Options.ThrowIfInvalid();
        ChannelNames.ValidateGroup(nodeId);
        _system = system;
        _cluster = cluster ?? new ClusterLayerOptions();
        NodeId = nodeId;
        time ??= TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("ActorChat.ChannelLayer.Cluster");
        _askTimeout = AskTimeouts.For(system);
        Stats = new ChannelLayerStats(meterFactory);
        _capacity = new CapacityPolicy(Options);
        _buffers = new ChannelBuffers(Options, _capacity, Stats, time);

        var name = _cluster.Name;
        var singleton = ClusterSingletonManagerSettings.Create(system).WithRole(_cluster.Role);
        system.ActorOf(ClusterSingletonManager.Props(ActorFactory.Props(() => new WorkerQueues(_capacity, Options, time)), PoisonPill.Instance, singleton), name + "-queues");
        _queues = system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}-queues", ClusterSingletonProxySettings.Create(system).WithRole(_cluster.Role)), name + "-queues-proxy");
        _client = system.ActorOf(ActorFactory.Props(() => new WorkerQueueClient(_queues, Stats, _receivers)), name + "-queues-client");
        _rooms = new LocalRooms(system, new RoomContext(Options, Stats, time, new ClusterChannelSink(_buffers, () => _client)), name + "-rooms");
        _presenceStore = new ClusterPresenceStore(system, name + "-presence-store", _rooms.Publish);
        var relay = system.ActorOf(ActorFactory.Props(() => new ClusterRelay(nodeId, _cluster, _rooms, PublishFromOtherNode, DeliverDirect, _peers, _state)), name + "-relay");
        var maxRemoteBytes = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 128_000;
        _outbox = new ClusterOutbox(DistributedPubSub.Get(system).Mediator, relay.Path.ToStringWithoutAddress(), _state, maxRemoteBytes, (frame, size) =>
        {
            Stats.CrossNodeFailed();
            Log.GroupMessageTooLarge(_logger, frame.Group, frame.Type, size, maxRemoteBytes);
        });
        _metrics = new ClusterMetrics(system, _state, meterFactory);
        _presence = new NodePresence(system, name + "-presence", nodeId, Options, Stats, time, _presenceStore, (group, message) => GroupSendAsync(group, message));
    }

    /// <summary>
    /// The actor system configuration the layer needs on every node, to add under the application's own: its serializer
    /// for the messages that cross nodes, its <see cref="RemotingSettings"/> and its <see cref="DistributedDataSettings"/>.
    /// </summary>
    public static Akka.Configuration.Config DefaultConfig() => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.actorchat-cluster = "{{typeof(ClusterMessageSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "{{typeof(IClusterMessage).FullName}}, {{typeof(IClusterMessage).Assembly.GetName().Name}}" = actorchat-cluster }
          serialization-identifiers { "{{typeof(ClusterMessageSerializer).FullName}}, {{typeof(ClusterMessageSerializer).Assembly.GetName().Name}}" = {{ClusterMessageSerializer.SerializerId}} }
        }
        {{RemotingSettings}}
        {{DistributedDataSettings}}
        """);

    /// <summary>
    /// The layer's default for Akka.DistributedData, which holds presence, under the application's own settings (the
    /// application may set another): full-state gossip every 10 s instead of Akka's 2 s. Every change still reaches the
    /// other replicas as a delta within about 200 ms; gossip is the repair for a delta that went missing and how a node
    /// that joins or restarts gets the sets already there. Each round sends the whole of every set that differs between two
    /// replicas, serialized and gzipped, and merges it whole; in a room under churn they differ at every round, and at
    /// 5,000 members over 3 nodes that work kept the replicators 5-10 s behind (BENCHMARKS.md, "Gossip every 10 s").
    /// The cost: a node that joins or restarts lists the presence already there within one to two rounds.
    /// </summary>
    internal const string DistributedDataSettings = "akka.cluster.distributed-data.gossip-interval = 10s";

    /// <summary>
    /// The layer's settings for pub-sub and remoting, here and in <c>WithClusterChannelLayer</c>: no dead letters for a
    /// group send that finds no other node, and Akka.Remote's largest message raised from its 128 kB default so that one
    /// group message of the bridge's largest size (1 MiB by default, more once JSON-escaped) reaches the other nodes
    /// (Akka.Remote drops a larger one).
    /// </summary>
    internal const string RemotingSettings = """
        akka.cluster.pub-sub.send-to-dead-letters-when-no-subscribers = off
        akka.remote.dot-netty.tcp.maximum-frame-size = 4194304
        """;

    /// <inheritdoc />
    public ChannelLayerOptions Options { get; }

    /// <inheritdoc />
    public ChannelLayerStats Stats { get; }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>How many room actors this node has now.</summary>
    public int RoomCount => _rooms.RoomCount;

    /// <summary>True once this node is Up and every other member's mediator knows it, and it knows theirs.</summary>
    public bool IsReady => _state.IsReady;

    /// <summary>
    /// Messages this node sent to other nodes: a batch of group messages (as many as were waiting, at most one per group
    /// send) handed to the mediator, which copies it to each node, and one per send to another node's channel.
    /// </summary>
    public long MessagesSent => _state.MessagesSent;

    /// <summary>Messages other nodes sent to this node.</summary>
    public long MessagesReceived => _state.MessagesReceived;

    /// <summary>The other nodes this node knows, by node id.</summary>
    public IReadOnlyCollection<string> Peers => [.. _peers.Keys];

    /// <summary>Completes when the node is ready (see <see cref="IsReady"/>), or fails after <paramref name="timeout"/>.</summary>
    public Task WaitReadyAsync(TimeSpan timeout) => _state.Ready.WaitAsync(timeout);

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
                if (!_rooms.TryDeliver(channel, message, _buffers))
                {
                    throw new ChannelFullException(channel, _capacity.For(channel));
                }

                Stats.Delivered(1);
                return;
            }

            if (!_peers.TryGetValue(owner, out var peer))
            {
                Stats.CrossNodeFailed();
                throw new InvalidOperationException($"Channel '{channel}' belongs to node '{owner}', which is not a member of this cluster now.");
            }

            peer.Tell(new DirectFrame(channel, message.Type, message.PayloadBytes), ActorRefs.NoSender);
            _state.MessageSent();
            return; // the owner delivers it, or counts a drop if the channel is full there
        }

        var answer = await _queues.Ask<Enqueued>(new Enqueue(channel, message.Type, message.PayloadBytes), _askTimeout, cancellationToken).ConfigureAwait(false);
        if (answer.Expired > 0)
        {
            Stats.DroppedExpired(answer.Expired);
        }

        if (!answer.Accepted)
        {
            throw new ChannelFullException(channel, answer.Capacity);
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
                ? await _buffers.ReadAsync(channel, cancellationToken).ConfigureAwait(false)
                : throw new InvalidOperationException($"Channel '{channel}' is process-local to node '{owner}'; only that node can receive from it.");
        }

        var ticket = Interlocked.Increment(ref _tickets);
        var receiver = new TaskCompletionSource<ChannelMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receivers[ticket] = receiver;
        _client.Tell(new Dequeue(channel, ticket), ActorRefs.NoSender);
        await using var cancel = cancellationToken.Register(() =>
        {
            if (_receivers.TryRemove(ticket, out var waiting) && waiting.TrySetCanceled(cancellationToken))
            {
                _client.Tell(new CancelDequeue(channel, ticket), ActorRefs.NoSender);
            }
        }).ConfigureAwait(false);
        return await receiver.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "added to a group");
        await WhenReadyAsync().ConfigureAwait(false);
        await _rooms.JoinAsync(group, channel, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "discarded from a group");
        await _presence.LeaveAndUntrackAsync(_rooms, group, channel, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask GroupAddAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "added to a group");
        await WhenReadyAsync().ConfigureAwait(false);
        await _presence.JoinAndTrackAsync(_rooms, group, channel, presence, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask TrackAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        ChannelNames.RefuseOtherNodes(channel, NodeId, "tracked");
        await WhenReadyAsync().ConfigureAwait(false);
        await _presence.TrackAsync(group, channel, presence, _rooms.Binding(channel)?.Actor, cancellationToken).ConfigureAwait(false);
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
        if (!_state.IsReady)
        {
            return GroupSendWhenReadyAsync(group, message);
        }

        Publish(group, message);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> GroupMembersAsync(string group, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        var members = new HashSet<string>(await _rooms.MembersAsync(group, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var state = Akka.Cluster.Cluster.Get(_system).State;
        var live = state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp && !state.Unreachable.Contains(m))
            .Select(m => m.Address).ToHashSet();
        var remote = _peers.Values.Where(peer => live.Contains(peer.Path.Address)).Select(async peer =>
        {
            try
            {
                return (await peer.Ask<LocalMembers>(new GetLocalMembers(group), _cluster.QueryTimeout, cancellationToken).ConfigureAwait(false)).Channels;
            }
            catch (AskTimeoutException)
            {
                Stats.CrossNodeFailed(); // that node is gone or busy: its members are left out this once
                return [];
            }
        });
        foreach (var channels in await Task.WhenAll(remote).ConfigureAwait(false))
        {
            members.UnionWith(channels);
        }

        return members;
    }

    /// <inheritdoc />
    public ChannelBinding Bind(string channel, IActorRef actor, IMessageRelay? relay = null) => _rooms.Bind(channel, actor, _capacity.For(channel), relay);

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _buffers.Clear();
        await _rooms.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _queues.Ask<QueuesFlushed>(FlushQueues.Instance, _askTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ready when this node is Up and known both ways, and neither unreachable nor leaving.</summary>
    public ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var self = cluster.SelfMember;
        return ValueTask.FromResult(_state.IsReady && self.Status == MemberStatus.Up && !cluster.State.Unreachable.Contains(self));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        Stats.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A group message from another node: to this node's members, a presence diff once this node's replica has its changes.</summary>
    private void PublishFromOtherNode(string group, ChannelMessage message)
    {
        if (message.Type == PresenceDiff.MessageType)
        {
            _presenceStore.PublishWhenReplicated(group, message);
        }
        else
        {
            _rooms.Publish(group, message);
        }
    }

    private void Publish(string group, ChannelMessage message)
    {
        _rooms.Publish(group, message); // local members never wait on the network
        _outbox.Send(new GroupFrame(group, message.Type, message.PayloadBytes));
    }

    private async ValueTask GroupSendWhenReadyAsync(string group, ChannelMessage message)
    {
        await WhenReadyAsync().ConfigureAwait(false);
        Publish(group, message);
    }

    /// <summary>Waits for readiness, so a join or send made while the node is starting still reaches every node.</summary>
    private async Task WhenReadyAsync()
    {
        if (_state.IsReady)
        {
            return;
        }

        try
        {
            await _state.Ready.WaitAsync(_cluster.ReadyTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (Interlocked.Exchange(ref _warnedNotReady, 1) == 0)
            {
                Log.NotReady(_logger, NodeId, _cluster.ReadyTimeout);
            }
        }
    }

    private void DeliverDirect(string channel, ChannelMessage message)
    {
        if (_rooms.TryDeliver(channel, message, _buffers))
        {
            Stats.Delivered(1);
        }
        else
        {
            Stats.DroppedFull(1); // the sender is on another node and cannot be told
        }
    }
}
