namespace ActorChat.Actors;

/// <summary>Published on the event stream whenever an actor throws; its supervisor decides what follows.</summary>
/// <param name="Actor">The actor that failed.</param>
/// <param name="Cause">What it threw.</param>
/// <param name="Message">The message it was processing, if any.</param>
public sealed record ActorFailed(IActorRef Actor, Exception Cause, object? Message);
