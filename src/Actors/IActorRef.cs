namespace ActorChat.Actors;

/// <summary>
/// A handle to an actor. The only way to talk to an actor is to <see cref="Tell"/> it a message;
/// the handle stays valid after the actor stops, and messages sent then become dead letters.
/// </summary>
public interface IActorRef
{
    /// <summary>The actor's unique path in its system, for logs and equality in diagnostics.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Enqueues <paramref name="message"/> for the actor and returns at once. Messages from one sender
    /// to one receiver arrive in the order they were sent.
    /// </summary>
    /// <param name="message">Any object; it should be immutable.</param>
    /// <param name="sender">The actor the receiver sees as <c>Sender</c>; <see langword="null"/> for none.</param>
    void Tell(object message, IActorRef? sender = null);
}
