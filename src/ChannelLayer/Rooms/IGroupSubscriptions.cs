namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// Lets a layer that spans nodes follow a group while this node has a room for it: subscribe when the
/// room is created (before the first join is answered), unsubscribe when it goes away.
/// </summary>
internal interface IGroupSubscriptions
{
    /// <summary>Starts receiving the group's traffic from other nodes.</summary>
    Task SubscribeAsync(string group);

    /// <summary>Stops receiving the group's traffic.</summary>
    Task UnsubscribeAsync(string group);
}
