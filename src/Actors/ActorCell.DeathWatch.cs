namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Actors this one watches; a notification for one of them becomes a <see cref="Terminated"/>.</summary>
    private HashSet<IActorRef>? _watching;

    /// <summary>Terminated messages queued but not yet processed, so an Unwatch in between can still cancel them.</summary>
    private HashSet<IActorRef>? _terminatedQueued;

    /// <summary>Actors watching this one.</summary>
    private HashSet<IActorRef>? _watchedBy;

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (ReferenceEquals(subject, Self) || !(_watching ??= []).Add(subject))
        {
            return subject;
        }

        if (subject is not LocalActorRef local || !local.Cell.Mailbox.PostSystem(new Watch(Self)))
        {
            // Already gone (or never a live actor): the notification comes at once, still exactly once.
            Mailbox.PostSystem(new DeathWatchNotification(subject));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var wasWatching = _watching?.Remove(subject) ?? false;
        _terminatedQueued?.Remove(subject);
        if (wasWatching && subject is LocalActorRef local)
        {
            local.Cell.Mailbox.PostSystem(new Unwatch(Self));
        }

        return subject;
    }

    private void AddWatcher(IActorRef watcher)
    {
        if (!ReferenceEquals(watcher, Self))
        {
            (_watchedBy ??= []).Add(watcher);
        }
    }

    private void RemoveWatcher(IActorRef watcher) => _watchedBy?.Remove(watcher);

    private void OnWatchedActorTerminated(IActorRef actor)
    {
        if (_watching is not null && _watching.Remove(actor))
        {
            (_terminatedQueued ??= []).Add(actor);
            Mailbox.Post(new Envelope(new QueuedTerminated(new Terminated(actor)), actor));
        }
    }

    private bool TakeQueuedTerminated(IActorRef actor) => _terminatedQueued?.Remove(actor) ?? false;

    /// <summary>
    /// A <see cref="Terminated"/> produced by death watch, as queued. The wrapper lets an Unwatch cancel it
    /// while a <see cref="Terminated"/> that a user forwards as a plain message is delivered as is.
    /// </summary>
    private sealed record QueuedTerminated(Terminated Terminated);

    /// <summary>Tells every watcher that this actor stopped, and tells every watchee to forget this actor.</summary>
    private void NotifyWatchersAndUnwatchAll()
    {
        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy)
            {
                SendDeathNotification(watcher);
            }

            _watchedBy = null;
        }

        if (_watching is not null)
        {
            foreach (var subject in _watching)
            {
                (subject as LocalActorRef)?.Cell.Mailbox.PostSystem(new Unwatch(Self));
            }

            _watching = null;
        }

        _terminatedQueued = null;
    }

    private void SendDeathNotification(IActorRef watcher) =>
        (watcher as LocalActorRef)?.Cell.Mailbox.PostSystem(new DeathWatchNotification(Self));

    /// <summary>A system message that arrived after this actor stopped: a late Watch is answered at once.</summary>
    public void HandleSystemMessageAfterStop(SystemMessage message)
    {
        if (message is Watch watch)
        {
            SendDeathNotification(watch.Watcher);
        }
    }
}
