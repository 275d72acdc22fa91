using System.Runtime.InteropServices;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// One group on one node. It keeps the group's local members and fans each group message out to them.
/// Member actors are watched, so a stopped actor never stays a member. Plain channels stay until
/// <see cref="ChannelLayerOptions.GroupExpiry"/> after their last join.
/// </summary>
/// <remarks>
/// Fan-out walks a flat list (swap-remove keeps removal O(1)) and offers the same
/// <see cref="ChannelMessage"/> instance to every member, so the message is encoded once per node
/// however many members there are. A member whose binding relays the type gets it without an actor hop
/// (see <see cref="ChannelBinding"/>). A full member is skipped and counted; the rest of the room goes on.
/// </remarks>
internal sealed class RoomActor(string group, RoomContext context) : UntypedActor
{
    private readonly List<ActorMember> _actors = [];
    private readonly Dictionary<string, int> _actorIndex = [];
    private readonly Dictionary<string, DateTimeOffset> _plain = [];
    private long _joins;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ChannelMessage groupMessage:
                FanOut(groupMessage);
                break;
            case JoinGroup join:
                Join(join);
                Sender.Tell(Joined.Instance);
                break;
            case LeaveGroup leave:
                Leave(leave.Channel);
                Sender.Tell(Left.Instance);
                ReportIfEmpty();
                break;
            case Terminated terminated:
                RemoveActor(terminated.ActorRef);
                ReportIfEmpty();
                break;
            case GetMembers:
                ExpirePlainMembers(context.Time.GetUtcNow());
                Sender.Tell((IReadOnlyCollection<string>)[.. _actorIndex.Keys, .. _plain.Keys]);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Join(JoinGroup join)
    {
        _joins++;
        if (join.Binding is null)
        {
            _plain[join.Channel] = context.Time.GetUtcNow(); // a repeated join refreshes the expiry, as in Channels
            return;
        }

        _plain.Remove(join.Channel);
        if (_actorIndex.ContainsKey(join.Channel))
        {
            return;
        }

        _actorIndex[join.Channel] = _actors.Count;
        _actors.Add(new ActorMember(join.Channel, join.Binding));
        Context.Watch(join.Binding.Actor);
    }

    private void Leave(string channel)
    {
        _plain.Remove(channel);
        if (_actorIndex.TryGetValue(channel, out var index))
        {
            var actor = _actors[index].Binding.Actor;
            RemoveAt(index);
            if (!_actors.Exists(m => m.Binding.Actor.Equals(actor)))
            {
                Context.Unwatch(actor);
            }
        }
    }

    private void RemoveActor(IActorRef actor)
    {
        for (var i = _actors.Count - 1; i >= 0; i--)
        {
            if (_actors[i].Binding.Actor.Equals(actor))
            {
                RemoveAt(i);
            }
        }
    }

    private void RemoveAt(int index)
    {
        var removed = _actors[index];
        var last = _actors[^1];
        _actors[index] = last;
        _actorIndex[last.Channel] = index;
        _actors.RemoveAt(_actors.Count - 1);
        _actorIndex.Remove(removed.Channel);
    }

    private void FanOut(ChannelMessage message)
    {
        long delivered = 0, full = 0, stopped = 0;
        foreach (ref readonly var member in CollectionsMarshal.AsSpan(_actors))
        {
            switch (member.Binding.Deliver(message))
            {
                case DeliveryResult.Delivered:
                    delivered++;
                    break;
                case DeliveryResult.Full:
                    full++;
                    break;
                default:
                    stopped++; // its Terminated is on the way and removes it
                    break;
            }
        }

        if (_plain.Count > 0)
        {
            ExpirePlainMembers(context.Time.GetUtcNow());
            foreach (var channel in _plain.Keys)
            {
                if (context.Sink.TryDeliver(channel, message))
                {
                    delivered++;
                }
                else
                {
                    full++;
                }
            }

            ReportIfEmpty();
        }

        context.Stats.Delivered(delivered);
        if (full > 0)
        {
            context.Stats.DroppedFull(full);
        }

        if (stopped > 0)
        {
            context.Stats.DroppedStopped(stopped);
        }
    }

    private void ExpirePlainMembers(DateTimeOffset now)
    {
        if (_plain.Count == 0)
        {
            return;
        }

        foreach (var (channel, joined) in _plain)
        {
            if (now - joined > context.Options.GroupExpiry)
            {
                _plain.Remove(channel); // removing during enumeration is allowed for Dictionary in .NET Core 3+
            }
        }
    }

    private void ReportIfEmpty()
    {
        if (_actors.Count == 0 && _plain.Count == 0)
        {
            Context.Parent.Tell(new RoomEmpty(group, Self, _joins));
        }
    }

    private readonly record struct ActorMember(string Channel, ChannelBinding Binding);
}
