namespace ActorChat.Consumers;

/// <summary>
/// Marks a consumer method as the handler for one channel layer message type, as a method named after
/// the type is in Channels. The method takes a <see cref="ChannelLayer.ChannelMessage"/> or a type the
/// message deserializes to, and returns <see cref="Task"/> or nothing:
/// <c>[Handles("chat.message")] Task OnChatMessage(ChatMessage message)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class HandlesAttribute(string type) : Attribute
{
    /// <summary>The message type this method handles.</summary>
    public string Type { get; } = type;
}
