namespace ActorChat.Gateway.Configuration;

/// <summary>A configuration value is invalid; the message names the key, the value and the expected form.</summary>
public sealed class InvalidConfigurationException(string message) : InvalidOperationException(message);
