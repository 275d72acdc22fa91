namespace ActorChat.Consumers;

/// <summary>Throw from <c>OnConnectAsync</c> to refuse the connection: the handshake fails with HTTP 403.</summary>
public sealed class DenyConnectionException(string? reason = null) : Exception(reason ?? "The consumer refused the connection.");
