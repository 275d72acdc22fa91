namespace ActorChat.Actors;

/// <summary>
/// A user message that makes the actor fail with <see cref="ActorKilledException"/>; the default
/// supervisor then stops it.
/// </summary>
public sealed class Kill
{
    private Kill() { }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();
}
