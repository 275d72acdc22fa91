namespace ActorChat.Actors;

/// <summary>An actor could not be created: its constructor, <c>PreStart</c> or <c>PostRestart</c> threw.</summary>
public sealed class ActorInitializationException(ActorPath path, Exception inner)
    : Exception($"Actor {path} failed to initialize: {inner.Message}", inner)
{
    /// <summary>The path of the actor that failed to start.</summary>
    public ActorPath Path { get; } = path;
}
