namespace ActorChat.ChannelLayer;

/// <summary>
/// Names the Channels message type of a C# record, so an instance can be sent as is:
/// <c>[ChannelMessageType("chat.message")] record ChatMessage(string Message);</c>
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class ChannelMessageTypeAttribute(string type) : Attribute
{
    /// <summary>The message type, such as <c>chat.message</c>.</summary>
    public string Type { get; } = type;
}
