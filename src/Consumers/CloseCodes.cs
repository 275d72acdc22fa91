namespace ActorChat.Consumers;

/// <summary>The WebSocket close codes ActorChat uses, and what each means here.</summary>
public static class CloseCodes
{
    /// <summary>1000: a normal close.</summary>
    public const int Normal = 1000;

    /// <summary>1001: the server is shutting down.</summary>
    public const int GoingAway = 1001;

    /// <summary>1003: a binary frame reached a consumer that accepts only text (or the reverse).</summary>
    public const int UnsupportedData = 1003;

    /// <summary>1006: the connection dropped without a close frame (never sent, only reported).</summary>
    public const int Abnormal = 1006;

    /// <summary>1007: a text message was not valid UTF-8, or not valid JSON for a JSON consumer.</summary>
    public const int InvalidPayload = 1007;

    /// <summary>1008: the client broke a policy, such as staying silent past the keep-alive timeout.</summary>
    public const int PolicyViolation = 1008;

    /// <summary>1009: a message was larger than <c>Bridge:MaxMessageSize</c>.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>1011: the consumer failed (threw) while handling an event.</summary>
    public const int InternalError = 1011;

    /// <summary>1013: the client read too slowly and its outgoing queue filled up.</summary>
    public const int TryAgainLater = 1013;
}
