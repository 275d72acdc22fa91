namespace ActorChat.Actors;

/// <summary>What became of a message offered with <see cref="ActorRefExtensions.TryTell"/>.</summary>
public enum TellResult
{
    /// <summary>The message is queued for the actor.</summary>
    Delivered,

    /// <summary>The actor already had the allowed number of messages waiting; the message was not queued.</summary>
    Full,

    /// <summary>The actor has stopped; the message was not queued.</summary>
    Stopped,
}
