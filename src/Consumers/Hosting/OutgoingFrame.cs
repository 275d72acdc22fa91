using System.Net.WebSockets;

namespace ActorChat.Consumers.Hosting;

/// <summary>One frame waiting for a connection's writer: text, binary, or a close with its code.</summary>
internal readonly record struct OutgoingFrame(WebSocketMessageType Type, ReadOnlyMemory<byte> Payload, int CloseCode = 0, string? Reason = null)
{
    public static OutgoingFrame Close(int code, string? reason) => new(WebSocketMessageType.Close, default, code, reason);
}
