namespace ActorChat.Actors;

/// <summary>
/// Delivered exactly once to each watcher of an actor when that actor has stopped, also when it had
/// already stopped at the time of <c>Watch</c>.
/// </summary>
/// <param name="ActorRef">The actor that stopped.</param>
public sealed record Terminated(IActorRef ActorRef);
