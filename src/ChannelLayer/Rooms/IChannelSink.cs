namespace ActorChat.ChannelLayer.Rooms;

/// <summary>Where a room delivers to members that are plain channels (no actor bound): the layer's buffers.</summary>
internal interface IChannelSink
{
    /// <summary>Buffers <paramref name="message"/> for <paramref name="channel"/>; false if the channel is full.</summary>
    bool TryDeliver(string channel, ChannelMessage message);
}
