using System.Text.Json.Serialization;
using ActorChat.ChannelLayer;

namespace ActorChat.Gateway.Chat;

/// <summary>
/// A chat line on its way through a room: <c>{"type":"chat.message","message":"hi"}</c> on the layer, and
/// <c>{"message":"hi"}</c> to each member. A sender who chose a nickname (<c>/nick ada</c>) adds <c>"nick":"ada"</c>.
/// </summary>
/// <param name="Message">The text.</param>
/// <param name="Nick">The sender's nickname, if it chose one.</param>
[ChannelMessageType("chat.message")]
public sealed record ChatMessage(string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nick = null);
