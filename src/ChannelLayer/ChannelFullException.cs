namespace ActorChat.ChannelLayer;

/// <summary>A send found the channel holding its full capacity of unreceived messages.</summary>
public sealed class ChannelFullException(string channel, int capacity)
    : Exception($"Channel '{channel}' is full: it holds its capacity of {capacity} unreceived messages. " +
                "If the receiver is only slow, raise ChannelLayer:Capacity, or set ChannelLayer:ChannelCapacity for this channel's name pattern.")
{
    /// <summary>The channel that is full.</summary>
    public string Channel { get; } = channel;

    /// <summary>Its capacity.</summary>
    public int Capacity { get; } = capacity;
}
