namespace ActorChat.Actors;

/// <summary>A user message and its sender, as it waits in a mailbox. A struct, so queueing allocates nothing.</summary>
internal readonly record struct Envelope(object Message, IActorRef? Sender);
