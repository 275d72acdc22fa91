namespace ActorChat.Actors;

/// <summary>Published on the event stream for each message that could not be delivered.</summary>
/// <param name="Message">The undelivered message.</param>
/// <param name="Sender">Who sent it, if anyone.</param>
/// <param name="Recipient">Who it was for.</param>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);
