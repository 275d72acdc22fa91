namespace ActorChat.ChannelLayer;

/// <summary>Marks the channel layer assembly until the layer lands.</summary>
internal static class Placeholder;
