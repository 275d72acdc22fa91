namespace ActorChat.Actors;

/// <summary>The sink for messages nobody can receive; each one is published as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IActorRef
{
    public ActorPath Path { get; } = ActorPath.Root(system.Name).Child("deadLetters");

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        system.PublishDeadLetter(new Envelope(message, sender), this);
    }

    public override string ToString() => $"[{Path}]";
}
