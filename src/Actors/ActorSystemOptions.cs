using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorChat.Actors;

/// <summary>Settings for an <see cref="ActorSystem"/>, fixed when it is created.</summary>
public sealed class ActorSystemOptions
{
    /// <summary>
    /// How many user messages an actor processes per turn on a thread-pool thread before it yields
    /// to other actors. Higher favours throughput, lower favours fairness. The default is 30.
    /// </summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Where actor failures and dead letters are logged. The default logs nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock for the scheduler and ask timeouts. The default is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How the user guardian supervises top-level actors. The default restarts them.</summary>
    public SupervisorStrategy GuardianStrategy { get; init; } = SupervisorStrategy.DefaultStrategy;

    /// <summary>How long <c>Ask</c> waits when no timeout is given. The default is 5 seconds.</summary>
    public TimeSpan DefaultAskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (Throughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Throughput), Throughput, "ActorSystemOptions.Throughput must be at least 1.");
        }

        ArgumentNullException.ThrowIfNull(LoggerFactory, nameof(LoggerFactory));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(GuardianStrategy, nameof(GuardianStrategy));
    }
}
