namespace ActorChat.Actors;

/// <summary>
/// A user message that stops the actor when it is processed, after every message queued before it.
/// Compare <see cref="ActorSystem.Stop"/>, which jumps the queue.
/// </summary>
public sealed class PoisonPill
{
    private PoisonPill() { }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();
}
