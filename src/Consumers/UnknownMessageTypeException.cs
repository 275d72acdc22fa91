namespace ActorChat.Consumers;

/// <summary>A consumer got a channel layer message whose type it has no handler for.</summary>
public sealed class UnknownMessageTypeException(string message) : Exception(message)
{
    internal static UnknownMessageTypeException NoHandler(Type consumer, string type) =>
        new($"{consumer.Name} has no handler for message type '{type}': add [Handles(\"{type}\")] to a method, or call Handle(\"{type}\", …) in its constructor.");

    internal static UnknownMessageTypeException Private(Type consumer, string type) =>
        new($"{consumer.Name} got message type '{type}', which starts with '_': such types are reserved and never dispatched (malformed type).");
}
