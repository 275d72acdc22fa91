namespace ActorChat.Actors;

/// <summary>
/// Thrown when an actor receives a <see cref="Terminated"/> it does not handle: it watched an actor
/// and did not say what to do when it died. The default supervisor stops it.
/// </summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Unhandled Terminated for {deadActor.Path}: handle Terminated in an actor that calls Watch.")
{
    /// <summary>The actor whose death was not handled.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}
