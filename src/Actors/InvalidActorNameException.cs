namespace ActorChat.Actors;

/// <summary>A name given to <c>ActorOf</c> is empty, contains '/', starts with '$', or is taken by a sibling.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);
