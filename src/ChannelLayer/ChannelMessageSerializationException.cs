namespace ActorChat.ChannelLayer;

/// <summary>A message could not be encoded as a JSON object, so no layer could carry it.</summary>
public sealed class ChannelMessageSerializationException(string message, Exception? inner = null) : Exception(message, inner);
