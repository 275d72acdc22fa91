namespace ActorChat.Actors;

/// <summary>
/// A life-cycle message that jumps ahead of user messages. Each is a node in the mailbox's lock-free
/// stack, so an instance is sent once and never shared.
/// </summary>
internal abstract class SystemMessage
{
    public SystemMessage? Next;
}

/// <summary>Creates the actor instance and runs <c>PreStart</c>; the first message every cell gets.</summary>
internal sealed class Create : SystemMessage;

/// <summary>Stops the actor (and first its children) now, ahead of queued user messages.</summary>
internal sealed class Terminate : SystemMessage;

/// <summary>Resumes a suspended actor after its supervisor chose <see cref="Directive.Resume"/>.</summary>
internal sealed class Resume : SystemMessage;

/// <summary>Restarts a failed actor after its supervisor chose <see cref="Directive.Restart"/>.</summary>
internal sealed class Recreate(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

/// <summary>Tells a parent that its child failed and is suspended, waiting for a directive.</summary>
internal sealed class Failed(IActorRef child, Exception cause) : SystemMessage
{
    public IActorRef Child { get; } = child;
    public Exception Cause { get; } = cause;
}

/// <summary>Asks the receiving actor (the watchee) to notify <see cref="Watcher"/> when it stops.</summary>
internal sealed class Watch(IActorRef watcher) : SystemMessage
{
    public IActorRef Watcher { get; } = watcher;
}

/// <summary>Withdraws an earlier <see cref="Watch"/>.</summary>
internal sealed class Unwatch(IActorRef watcher) : SystemMessage
{
    public IActorRef Watcher { get; } = watcher;
}

/// <summary>Tells a watcher that <see cref="Actor"/> stopped; becomes one <see cref="Terminated"/> if still watched.</summary>
internal sealed class DeathWatchNotification(IActorRef actor) : SystemMessage
{
    public IActorRef Actor { get; } = actor;
}

/// <summary>Tells a parent that its child has stopped, so it can forget it (and finish stopping itself).</summary>
internal sealed class ChildTerminated(IActorRef child) : SystemMessage
{
    public IActorRef Child { get; } = child;
}
