using ActorChat.ChannelLayer;

namespace ActorChat.Gateway.Chat;

/// <summary>A chat line on its way through a room: <c>{"type":"chat.message","message":"hi"}</c> on the layer.</summary>
/// <param name="Message">The text.</param>
[ChannelMessageType("chat.message")]
public sealed record ChatMessage(string Message);
