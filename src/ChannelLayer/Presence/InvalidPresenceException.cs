namespace ActorChat.ChannelLayer;

/// <summary>A presence key or meta that cannot be tracked: the message says which rule it breaks.</summary>
public sealed class InvalidPresenceException(string message) : ArgumentException(message);
