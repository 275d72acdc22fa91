using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// The node's mediator: it owns the map group → room, creates a room on a group's first local
/// join, removes it when the group has no local members, and ends bindings of actors that stop.
/// </summary>
/// <remarks>
/// Membership changes go through this actor and the group's room actor, so they are serialized per group. Group sends
/// do not: senders read the room's <see cref="RoomMembership"/> from the shared <c>directory</c> and fan out on their
/// own thread, which keeps per-sender order and keeps both actors off the hot path.
/// </remarks>
internal sealed class GroupMediator(
    RoomContext context,
    ConcurrentDictionary<string, RoomMembership> directory,
    ConcurrentDictionary<string, ChannelBinding> bindings,
    IGroupSubscriptions? subscriptions) : UntypedActor
{
    private readonly Dictionary<string, RoomEntry> _rooms = [];
    private readonly Dictionary<IActorRef, HashSet<string>> _boundChannels = [];
    private long _roomCounter;

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(static _ => Directive.Resume); // a room keeps its members through a bad message

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case JoinGroup join:
                Join(join);
                break;
            case LeaveGroup leave:
                ForwardOrAnswer(leave.Group, leave, Left.Instance, leave.Then); // with no room here a tracked presence still ends
                break;
            case GetMembers get:
                ForwardOrAnswer(get.Group, get, (IReadOnlyCollection<string>)[]);
                break;
            case RoomEmpty empty:
                RemoveIfStillEmpty(empty);
                break;
            case WatchBinding watch:
                WatchBound(watch);
                break;
            case Terminated terminated:
                EndBindings(terminated.ActorRef);
                break;
            case FlushRooms:
                Flush();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Join(JoinGroup join)
    {
        if (_rooms.TryGetValue(join.Group, out var entry))
        {
            entry.Forwarded++;
            entry.Room.Forward(join);
            return;
        }

        var group = join.Group;
        var membership = new RoomMembership(context);
        var room = Context.ActorOf(ActorFactory.Props(() => new RoomActor(group, context, membership)), $"room-{group}-{++_roomCounter}");
        entry = new RoomEntry(room, membership) { Forwarded = 1 };
        _rooms[join.Group] = entry;
        if (subscriptions is null)
        {
            directory[join.Group] = membership;
            room.Forward(join);
            return;
        }

        // Subscribe before the first member is in, so no cross-node message sent after the join is missed.
        var asker = Sender;
        RunTask(async () =>
        {
            await subscriptions.SubscribeAsync(group);
            directory[group] = membership;
            room.Tell(join, asker);
        });
    }

    /// <summary>Forwards <paramref name="request"/> to the group's room; with no room here, answers as the room would have.</summary>
    private void ForwardOrAnswer(string group, object request, object answerWhenNoRoom, HandOn? then = null)
    {
        if (_rooms.TryGetValue(group, out var entry))
        {
            entry.Room.Forward(request);
        }
        else
        {
            HandOn.Answer(Sender, answerWhenNoRoom, then);
        }
    }

    private void RemoveIfStillEmpty(RoomEmpty empty)
    {
        if (!_rooms.TryGetValue(empty.Group, out var entry) || !entry.Room.Equals(empty.Room) || entry.Forwarded != empty.Joins)
        {
            return; // a join is still on its way to that room, or the room is already gone
        }

        _rooms.Remove(empty.Group);
        directory.TryRemove(KeyValuePair.Create(empty.Group, entry.Membership));
        Context.Stop(empty.Room);
        if (subscriptions is not null)
        {
            var group = empty.Group;
            RunTask(() => subscriptions.UnsubscribeAsync(group));
        }
    }

    private void WatchBound(WatchBinding watch)
    {
        if (!_boundChannels.TryGetValue(watch.Actor, out var channels))
        {
            _boundChannels[watch.Actor] = channels = [];
            Context.Watch(watch.Actor);
        }

        channels.Add(watch.Channel);
    }

    private void EndBindings(IActorRef actor)
    {
        if (_boundChannels.Remove(actor, out var channels))
        {
            foreach (var channel in channels)
            {
                if (bindings.TryGetValue(channel, out var binding) && binding.Actor.Equals(actor))
                {
                    binding.End();
                    bindings.TryRemove(KeyValuePair.Create(channel, binding));
                }
            }
        }
    }

    private void Flush()
    {
        var groups = _rooms.Keys.ToList();
        foreach (var entry in _rooms.Values)
        {
            Context.Stop(entry.Room);
        }

        _rooms.Clear();
        directory.Clear();
        var asker = Sender;
        if (subscriptions is null)
        {
            asker.Tell(Flushed.Instance);
            return;
        }

        RunTask(async () =>
        {
            foreach (var group in groups)
            {
                await subscriptions.UnsubscribeAsync(group);
            }

            asker.Tell(Flushed.Instance);
        });
    }

    private sealed class RoomEntry(IActorRef room, RoomMembership membership)
    {
        public IActorRef Room { get; } = room;

        public RoomMembership Membership { get; } = membership;

        /// <summary>Joins forwarded to the room; equal to the room's own count when none is in flight.</summary>
        public long Forwarded { get; set; }
    }
}
