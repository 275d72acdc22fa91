namespace ActorChat.Actors;

/// <summary>The reference to an actor in this process: a thin handle on its cell.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IActorRef
{
    internal ActorCell Cell { get; } = cell;

    public ActorPath Path => Cell.Path;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Post(new Envelope(message, sender));
    }

    public override string ToString() => $"[{Path}]";
}
