namespace ActorChat.Actors;

/// <summary>Conventional replies for <c>Ask</c>.</summary>
public static class Status
{
    /// <summary>A reply that makes the asker's task fail with <paramref name="Cause"/>.</summary>
    public sealed record Failure(Exception Cause);
}
