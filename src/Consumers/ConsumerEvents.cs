using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>
/// The connection was opened; the consumer should accept or close. The ASGI <c>websocket.connect</c>. The launcher has
/// already named the consumer's channel and bound it to the consumer (<see cref="Binding"/>).
/// </summary>
internal sealed record ConnectEvent(Scope Scope, IConsumerTransport Transport, IChannelLayer Layer, ChannelBinding Binding);

/// <summary>
/// A whole text message arrived, as validated UTF-8. The ASGI <c>websocket.receive</c> with <c>text</c>. When
/// <see cref="Pooled"/> is set, <see cref="Utf8"/> lies in that array, rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>;
/// the consumer returns it once it has decoded the message, or leaves it to the garbage collector.
/// </summary>
internal sealed record ReceiveTextEvent(ReadOnlyMemory<byte> Utf8, byte[]? Pooled = null);

/// <summary>A whole binary message arrived. The ASGI <c>websocket.receive</c> with <c>bytes</c>.</summary>
internal sealed record ReceiveBinaryEvent(ReadOnlyMemory<byte> Bytes);

/// <summary>The connection ended with <see cref="Code"/>. The ASGI <c>websocket.disconnect</c>; the consumer stops after it.</summary>
internal sealed record DisconnectEvent(int Code);
