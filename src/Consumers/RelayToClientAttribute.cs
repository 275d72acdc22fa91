namespace ActorChat.Consumers;

/// <summary>
/// Declares that channel layer messages of <see cref="Type"/> go to the client as their fields
/// (<see cref="ChannelLayer.ChannelMessage.PayloadJson"/>, encoded once per node), with no handler of this consumer
/// in between. The room can then hand them straight to the connection's writer, past the consumer actor: the
/// fast path for broadcasts. Order with the consumer's other messages is kept: while any message for this consumer
/// waits in its mailbox, relayed ones queue behind it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class RelayToClientAttribute(string type) : Attribute
{
    /// <summary>The message type sent to the client as it is.</summary>
    public string Type { get; } = type;
}
