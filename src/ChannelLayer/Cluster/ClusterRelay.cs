using System.Collections.Concurrent;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// A node's end of the cluster layer. Registered with the pub-sub mediator under a path every node shares, it receives
/// the other nodes' group messages (their <c>SendToAll</c>) and hands each to the local room, and it receives sends to
/// this node's channels. It also makes the node ready: it greets the others through the mediator until every other
/// member has answered the same way, which proves both mediators know both registrations, so from then on a group send
/// from either node reaches the other.
/// </summary>
internal sealed class ClusterRelay : UntypedActor, IWithTimers
{
    private readonly string _nodeId;
    private readonly ClusterLayerOptions _options;
    private readonly LocalRooms _rooms;
    private readonly Action<string, ChannelMessage> _publishGroup;
    private readonly Action<string, ChannelMessage> _deliverDirect;
    private readonly ConcurrentDictionary<string, IActorRef> _peers;
    private readonly ClusterLayerState _state;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _mediator;
    private readonly string _path;
    private readonly Dictionary<Address, string> _nodeOf = [];
    private readonly HashSet<Address> _confirmed = [];

    public ClusterRelay(string nodeId, ClusterLayerOptions options, LocalRooms rooms, Action<string, ChannelMessage> publishGroup, Action<string, ChannelMessage> deliverDirect,
        ConcurrentDictionary<string, IActorRef> peers, ClusterLayerState state)
    {
        _nodeId = nodeId;
        _options = options;
        _rooms = rooms;
        _publishGroup = publishGroup;
        _deliverDirect = deliverDirect;
        _peers = peers;
        _state = state;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _path = Self.Path.ToStringWithoutAddress();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _mediator.Tell(new Put(Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(HelloTick.Instance, HelloTick.Instance, TimeSpan.Zero, _options.HelloInterval);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _mediator.Tell(new Remove(_path));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GroupBatch batch:
                _state.MessageReceived();
                foreach (var frame in batch.Frames)
                {
                    _publishGroup(frame.Group, ChannelMessage.FromPayloadJson(frame.Type, frame.Payload));
                }

                break;
            case DirectFrame frame:
                _state.MessageReceived();
                _deliverDirect(frame.Channel, ChannelMessage.FromPayloadJson(frame.Type, frame.Payload));
                break;
            case Hello hello:
                Record(hello.NodeId, hello.Relay);
                _mediator.Tell(new SendToAll(_path, new HelloBack(_nodeId, Self, hello.NodeId), excludeSelf: true));
                break;
            case HelloBack back:
                Record(back.NodeId, back.Relay);
                if (back.To == _nodeId && _confirmed.Add(back.Relay.Path.Address))
                {
                    CheckReady();
                }

                break;
            case GetLocalMembers get:
                var asker = Sender;
                _rooms.MembersAsync(get.Group, CancellationToken.None).AsTask()
                    .PipeTo(asker, success: members => new LocalMembers([.. members]), failure: _ => new LocalMembers([]));
                break;
            case HelloTick:
                if (!CheckReady())
                {
                    _mediator.Tell(new SendToAll(_path, new Hello(_nodeId, Self), excludeSelf: true));
                }

                break;
            case ClusterEvent.MemberRemoved removed:
                Forget(removed.Member.Address);
                CheckReady();
                break;
            case ClusterEvent.IMemberEvent or ClusterEvent.IReachabilityEvent:
                CheckReady();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Record(string nodeId, IActorRef relay)
    {
        _nodeOf[relay.Path.Address] = nodeId;
        _peers[nodeId] = relay;
    }

    private void Forget(Address address)
    {
        _confirmed.Remove(address);
        if (_nodeOf.Remove(address, out var nodeId))
        {
            _peers.TryRemove(nodeId, out _);
        }
    }

    /// <summary>Ready once this node is Up and every other reachable Up member (of the layer's role) has answered.</summary>
    private bool CheckReady()
    {
        if (_state.IsReady)
        {
            return true;
        }

        if (_cluster.SelfMember.Status != MemberStatus.Up)
        {
            return false;
        }

        var state = _cluster.State;
        foreach (var member in state.Members)
        {
            if (member.Status == MemberStatus.Up && !member.Address.Equals(_cluster.SelfAddress)
                && (_options.Role is null || member.HasRole(_options.Role))
                && !state.Unreachable.Contains(member) && !_confirmed.Contains(member.Address))
            {
                return false;
            }
        }

        _state.BecameReady();
        Timers.Cancel(HelloTick.Instance); // later members greet this node themselves
        return true;
    }

    private sealed class HelloTick
    {
        public static readonly HelloTick Instance = new();
    }
}
