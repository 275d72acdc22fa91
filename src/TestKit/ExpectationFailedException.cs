using Xunit.Sdk;

namespace ActorChat.TestKit;

/// <summary>A TestKit expectation was not met; the message says what was expected, what arrived, and when.</summary>
public sealed class ExpectationFailedException(string message) : XunitException(message);
