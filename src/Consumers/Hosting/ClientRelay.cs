using System.Net.WebSockets;
using ActorChat.ChannelLayer;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The broadcast fast path of one connection: a group send hands a relayed message's shared bytes straight to the
/// connection's writer. Before the socket is accepted, or once it is closing, it declines and the consumer gets the message.
/// </summary>
internal sealed class ClientRelay(ConnectionWriter writer, IReadOnlySet<string> types) : IMessageRelay
{
    private string? _lastRelayed;

    /// <summary>
    /// Asked once per member per message, so the last type that relayed is remembered by reference: every member sees
    /// the same message instance, and a record's type name is one cached string. Only a positive answer is kept, in one
    /// reference write, because senders on several threads may ask at once.
    /// </summary>
    public bool Relays(string type)
    {
        if (ReferenceEquals(type, Volatile.Read(ref _lastRelayed)))
        {
            return true;
        }

        if (!types.Contains(type))
        {
            return false;
        }

        Volatile.Write(ref _lastRelayed, type);
        return true;
    }

    public bool TryRelay(ChannelMessage message) => writer.TryEnqueue(new OutgoingFrame(WebSocketMessageType.Text, message.PayloadJson));
}
