using Akka.Actor;

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// One group on one node. It keeps the group's local members and publishes them to its <see cref="RoomMembership"/>
/// after every change; senders fan group messages out from there on their own threads. Member actors are watched, so a
/// stopped actor never stays a member. Plain channels stay until <see cref="ChannelLayerOptions.GroupExpiry"/> after
/// their last join.
/// </summary>
/// <remarks>
/// Every membership change goes through this actor, one at a time, and a join is answered only after the snapshot with
/// it is published: once <c>GroupAddAsync</c> returns, every later group send reaches the member. Changes that wait in
/// the mailbox together are published as one snapshot (after the first, the room tells itself to publish, and that
/// message queues behind the rest), so a crowd joining a large room copies the member list once per batch rather than
/// once per join.
/// </remarks>
internal sealed class RoomActor(string group, RoomContext context, RoomMembership membership) : UntypedActor, IWithTimers
{
    private const string ExpiryTimer = "expire-plain-members";
    private readonly List<ChannelBinding> _actors = [];
    private readonly List<(IActorRef Asker, object Answer, HandOn? Then)> _unanswered = [];
    private readonly Dictionary<string, int> _actorIndex = [];
    private readonly Dictionary<IActorRef, string[]> _channelsOf = []; // member actor → its channels here (one, as a rule)
    private readonly Dictionary<string, DateTimeOffset> _plain = [];
    private readonly Dictionary<string, HandOn> _whenStopped = []; // channel → the join's hand-on that asked to hear of a stop
    private readonly List<HandOn> _stopped = []; // stops to tell, after the hand-ons of the same publish
    private long _joins;
    private bool _publishQueued;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case JoinGroup join:
                Join(join);
                AnswerOncePublished(Joined.Instance, join.Then); // the member is in
                break;
            case LeaveGroup leave:
                Leave(leave.Channel);
                AnswerOncePublished(Left.Instance, leave.Then); // the member is out
                break;
            case Terminated terminated:
                RemoveActor(terminated.ActorRef);
                QueuePublish();
                break;
            case PublishChanges:
                PublishAndAnswer();
                break;
            case GetMembers:
                ExpirePlainMembers();
                Sender.Tell((IReadOnlyCollection<string>)[.. _actorIndex.Keys, .. _plain.Keys]);
                break;
            case ExpirePlain:
                ExpirePlainMembers();
                ReportIfEmpty();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// A room stops with members only when the layer is flushed (or the node stops): its watch ends, so those who asked
    /// to hear of a stop hear of it now, and nothing tracked outlives the membership unwatched.
    /// </summary>
    protected override void PostStop()
    {
        foreach (var handOn in _whenStopped.Values)
        {
            handOn.Target.Tell(handOn.WhenStopped);
        }
    }

    private void Join(JoinGroup join)
    {
        _joins++;
        if (join.Binding is null)
        {
            _plain[join.Channel] = context.Time.GetUtcNow(); // a repeated join refreshes the expiry, as in Channels
            if (!Timers.IsTimerActive(ExpiryTimer))
            {
                // Senders skip expired channels themselves; this only lets a room of expired channels go away.
                Timers.StartPeriodicTimer(ExpiryTimer, ExpirePlain.Instance, context.Options.GroupExpiry);
            }

            return;
        }

        _plain.Remove(join.Channel);
        if (join.Then?.WhenStopped is not null)
        {
            _whenStopped[join.Channel] = join.Then;
        }

        if (_actorIndex.ContainsKey(join.Channel))
        {
            return;
        }

        _actorIndex[join.Channel] = _actors.Count;
        _actors.Add(join.Binding);
        var actor = join.Binding.Actor;
        if (_channelsOf.TryGetValue(actor, out var channels))
        {
            _channelsOf[actor] = [.. channels, join.Channel];
        }
        else
        {
            _channelsOf[actor] = [join.Channel];
            Context.Watch(actor);
        }
    }

    private void Leave(string channel)
    {
        _plain.Remove(channel);
        _whenStopped.Remove(channel);
        if (_actorIndex.TryGetValue(channel, out var index))
        {
            var actor = _actors[index].Actor;
            RemoveAt(index);
            var channels = _channelsOf[actor];
            if (channels.Length > 1)
            {
                _channelsOf[actor] = [.. channels.Where(c => c != channel)];
            }
            else
            {
                _channelsOf.Remove(actor);
                Context.Unwatch(actor);
            }
        }
    }

    /// <summary>A member's actor stopped: all its channels leave, found by the actor, so a crowd stopping costs no scans.</summary>
    private void RemoveActor(IActorRef actor)
    {
        if (!_channelsOf.Remove(actor, out var channels))
        {
            return;
        }

        foreach (var channel in channels)
        {
            if (_whenStopped.Remove(channel, out var handOn))
            {
                _stopped.Add(handOn); // told after this publish's hand-ons, so a track handed on is never overtaken by its stop
            }

            RemoveAt(_actorIndex[channel]);
        }
    }

    /// <summary>Swap-remove keeps removal O(1); members have no order.</summary>
    private void RemoveAt(int index)
    {
        var removed = _actors[index];
        var last = _actors[^1];
        _actors[index] = last;
        _actorIndex[last.Channel] = index;
        _actors.RemoveAt(_actors.Count - 1);
        _actorIndex.Remove(removed.Channel);
    }

    private void ExpirePlainMembers()
    {
        if (_plain.Count == 0)
        {
            return;
        }

        var now = context.Time.GetUtcNow();
        var before = _plain.Count;
        foreach (var (channel, joined) in _plain)
        {
            if (now - joined > context.Options.GroupExpiry)
            {
                _plain.Remove(channel); // removing during enumeration is allowed for Dictionary in .NET Core 3+
            }
        }

        if (_plain.Count == 0)
        {
            Timers.Cancel(ExpiryTimer);
        }

        if (_plain.Count != before)
        {
            Publish();
        }
    }

    private void AnswerOncePublished(object answer, HandOn? then)
    {
        _unanswered.Add((Sender, answer, then));
        QueuePublish();
    }

    private void QueuePublish()
    {
        if (!_publishQueued)
        {
            _publishQueued = true;
            Self.Tell(PublishChanges.Instance);
        }
    }

    /// <summary>Publishes the changes made since the last snapshot, then answers the joins and leaves among them.</summary>
    private void PublishAndAnswer()
    {
        _publishQueued = false;
        Publish();
        foreach (var (asker, answer, then) in _unanswered)
        {
            HandOn.Answer(asker, answer, then);
        }

        foreach (var stopped in _stopped)
        {
            stopped.Target.Tell(stopped.WhenStopped);
        }

        _unanswered.Clear();
        _stopped.Clear();
        ReportIfEmpty();
    }

    private void Publish() => membership.Publish(new RoomMembers(
        [.. _actors],
        _plain.Count == 0 ? [] : [.. _plain.Select(plain => new PlainMember(plain.Key, plain.Value))]));

    private void ReportIfEmpty()
    {
        // With a publish queued, answers are still owed: that publish reports, so the room is not stopped before it answers.
        if (_actors.Count == 0 && _plain.Count == 0 && !_publishQueued)
        {
            Context.Parent.Tell(new RoomEmpty(group, Self, _joins));
        }
    }

    /// <summary>The room's note to itself: publish what changed, once the changes queued before this note are made.</summary>
    private sealed class PublishChanges
    {
        public static readonly PublishChanges Instance = new();
    }

    /// <summary>The room's timer: time to drop plain channels past their expiry.</summary>
    private sealed class ExpirePlain
    {
        public static readonly ExpirePlain Instance = new();
    }
}
