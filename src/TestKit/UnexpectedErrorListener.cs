using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;

namespace ActorChat.TestKit;

/// <summary>
/// The test system's logger: Akka.TestKit's <see cref="TestEventListener"/> (so <c>EventFilter</c> works as usual), which
/// also records every error event no <c>EventFilter</c> took. <see cref="ConsumerTestKit"/> fails a test that leaves any:
/// an error nobody expected is a bug, even when the test's own assertions passed.
/// </summary>
public sealed class UnexpectedErrorListener : TestEventListener
{
    /// <inheritdoc />
    protected override void Print(LogEvent logEvent)
    {
        if (logEvent.LogLevel() == LogLevel.ErrorLevel)
        {
            UnexpectedErrors.For(Context.System).Add(logEvent);
        }

        base.Print(logEvent);
    }
}

/// <summary>The error events of one actor system that no <c>EventFilter</c> expected.</summary>
public sealed class UnexpectedErrors : IExtension
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    /// <summary>The errors recorded so far, oldest first.</summary>
    public IReadOnlyCollection<LogEvent> Events => _events;

    /// <summary>The record of <paramref name="system"/>.</summary>
    public static UnexpectedErrors For(ActorSystem system) => system.WithExtension<UnexpectedErrors, Provider>();

    /// <summary>Forgets the errors recorded so far (for a test that checked them itself).</summary>
    public void Clear() => _events.Clear();

    internal void Add(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Creates the extension, once per system.</summary>
    public sealed class Provider : ExtensionIdProvider<UnexpectedErrors>
    {
        /// <inheritdoc />
        public override UnexpectedErrors CreateExtension(ExtendedActorSystem system) => new();
    }
}
