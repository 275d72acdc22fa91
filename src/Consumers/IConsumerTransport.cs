namespace ActorChat.Consumers;

/// <summary>
/// A consumer's view of its connection. The Kestrel bridge implements it over a real socket, and the
/// TestKit's communicator implements it in memory. Methods are called from the consumer actor only.
/// </summary>
internal interface IConsumerTransport
{
    /// <summary>Completes the handshake with <paramref name="subprotocol"/>; returns once frames can be sent.</summary>
    ValueTask AcceptAsync(string? subprotocol);

    /// <summary>
    /// Refuses the handshake (HTTP 403) if not yet accepted, otherwise queues a close frame after the queued frames.
    /// </summary>
    void Close(int code, string? reason);

    /// <summary>Queues a text frame (UTF-8) for the single writer. If the queue is full, the transport closes the slow client itself.</summary>
    void SendText(ReadOnlyMemory<byte> utf8);

    /// <summary>Queues a binary frame for the single writer, like <see cref="SendText"/>.</summary>
    void SendBinary(ReadOnlyMemory<byte> bytes);

    /// <summary>
    /// A relay that sends messages of <paramref name="types"/> to the client as their fields, past the consumer actor;
    /// null when this transport has no such fast path.
    /// </summary>
    ChannelLayer.IMessageRelay? CreateRelay(IReadOnlySet<string> types);

    /// <summary>The consumer finished one receive event; the transport may hand it the next (flow control).</summary>
    void ReceiveProcessed();

    /// <summary>The consumer actor stopped. If the connection is still open it failed: close with 1011.</summary>
    void ConsumerStopped();
}
