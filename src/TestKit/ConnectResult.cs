namespace ActorChat.TestKit;

/// <summary>How a consumer answered a connect: accepted (with a subprotocol), or refused (with a close code).</summary>
/// <param name="Accepted">True when the consumer accepted.</param>
/// <param name="Subprotocol">The subprotocol it chose, if any.</param>
/// <param name="CloseCode">The code it refused with; 1011 when it failed during connect.</param>
public sealed record ConnectResult(bool Accepted, string? Subprotocol, int? CloseCode);
