using System.Net.WebSockets;
using System.Text;

namespace ActorChat.TestKit;

/// <summary>One frame a consumer sent to its client in a <see cref="WebSocketCommunicator"/> test.</summary>
/// <param name="Type">Text, binary or close.</param>
/// <param name="Payload">The frame's bytes (UTF-8 for text); empty for a close.</param>
/// <param name="CloseCode">The close code, for a close frame.</param>
/// <param name="Reason">The close reason, for a close frame.</param>
public sealed record CommunicatorFrame(WebSocketMessageType Type, ReadOnlyMemory<byte> Payload, int? CloseCode = null, string? Reason = null)
{
    /// <summary>The payload as text.</summary>
    public string Text => Encoding.UTF8.GetString(Payload.Span);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        WebSocketMessageType.Close => $"close {CloseCode} '{Reason}'",
        WebSocketMessageType.Text => $"text '{Text}'",
        _ => $"binary {Payload.Length} bytes",
    };
}
