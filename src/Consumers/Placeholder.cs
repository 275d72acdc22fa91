namespace ActorChat.Consumers;

/// <summary>Marks the consumers assembly until consumers lands.</summary>
internal static class Placeholder;
