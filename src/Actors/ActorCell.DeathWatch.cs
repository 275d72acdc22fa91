namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Who this actor watches and who watches it; created on first use, so unwatched actors stay small.</summary>
    private DeathWatchState? _deathWatch;

    private DeathWatchState DeathWatch => _deathWatch ??= new DeathWatchState();

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (ReferenceEquals(subject, Self) || !DeathWatch.Watching.Add(subject))
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
        if (_deathWatch is null)
        {
            return subject;
        }

        var wasWatching = _deathWatch.Watching.Remove(subject);
        _deathWatch.TerminatedQueued.Remove(subject);
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
            DeathWatch.WatchedBy.Add(watcher);
        }
    }

    private void RemoveWatcher(IActorRef watcher) => _deathWatch?.WatchedBy.Remove(watcher);

    private void OnWatchedActorTerminated(IActorRef actor)
    {
        if (_deathWatch is not null && _deathWatch.Watching.Remove(actor))
        {
            _deathWatch.TerminatedQueued.Add(actor);
            Mailbox.Post(new Envelope(new QueuedTerminated(new Terminated(actor)), actor));
        }
    }

    private bool TakeQueuedTerminated(IActorRef actor) => _deathWatch?.TerminatedQueued.Remove(actor) ?? false;

    /// <summary>Tells every watcher that this actor stopped, and tells every watchee to forget this actor.</summary>
    private void NotifyWatchersAndUnwatchAll()
    {
        if (_deathWatch is not { } state)
        {
            return;
        }

        _deathWatch = null;
        foreach (var watcher in state.WatchedBy)
        {
            SendDeathNotification(watcher);
        }

        foreach (var subject in state.Watching)
        {
            (subject as LocalActorRef)?.Cell.Mailbox.PostSystem(new Unwatch(Self));
        }
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

    /// <summary>
    /// A <see cref="Terminated"/> produced by death watch, as queued. The wrapper lets an Unwatch cancel it
    /// while a <see cref="Terminated"/> that a user forwards as a plain message is delivered as is.
    /// </summary>
    private sealed record QueuedTerminated(Terminated Terminated);

    private sealed class DeathWatchState
    {
        /// <summary>Actors this one watches; a notification for one of them becomes a <see cref="Terminated"/>.</summary>
        public HashSet<IActorRef> Watching { get; } = [];

        /// <summary>Terminated messages queued but not yet processed, so an Unwatch in between can still cancel them.</summary>
        public HashSet<IActorRef> TerminatedQueued { get; } = [];

        /// <summary>Actors watching this one.</summary>
        public HashSet<IActorRef> WatchedBy { get; } = [];
    }
}
