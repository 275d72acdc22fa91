namespace ActorChat.Actors;

/// <summary>Thrown inside an actor that received <see cref="Kill"/>. The default supervisor stops it.</summary>
public sealed class ActorKilledException(string message) : Exception(message);
