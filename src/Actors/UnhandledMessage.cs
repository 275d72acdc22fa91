namespace ActorChat.Actors;

/// <summary>Published on the event stream when an actor had no handler for a message.</summary>
/// <param name="Message">The message nobody handled.</param>
/// <param name="Sender">Who sent it, if anyone.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
