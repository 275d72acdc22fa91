namespace ActorChat.ChannelLayer;

/// <summary>What became of a message a <see cref="ChannelBinding"/> was asked to deliver.</summary>
internal enum DeliveryResult
{
    /// <summary>The actor (or its relay) has the message.</summary>
    Delivered,

    /// <summary>The channel already holds its capacity of messages the actor has not processed; the message was not queued.</summary>
    Full,

    /// <summary>The binding ended (the actor stopped or was unbound); the message was not queued.</summary>
    Gone,
}
