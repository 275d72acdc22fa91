namespace ActorChat.Actors;

/// <summary>An <c>Ask</c> got no reply within its timeout.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);
