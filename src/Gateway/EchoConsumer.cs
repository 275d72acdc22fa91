using ActorChat.Consumers;

namespace ActorChat.Gateway;

/// <summary>Answers <c>ping</c> with <c>pong!</c> and echoes every other message, text or binary.</summary>
public sealed class EchoConsumer : WebSocketConsumer
{
    /// <inheritdoc />
    protected override Task OnReceiveAsync(string text) => SendAsync(text == "ping" ? "pong!" : text);

    /// <inheritdoc />
    protected override Task OnReceiveAsync(ReadOnlyMemory<byte> bytes) => SendAsync(bytes);
}
