namespace ActorChat.ChannelLayer.Redis;

/// <summary>Redis could not be reached, or refused a command; cross-node delivery is not possible right now.</summary>
public sealed class RedisUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
