namespace ActorChat.Actors;

/// <summary>
/// Applies a directive to the failing child only. A child restarted more than
/// <see cref="MaxNrOfRetries"/> times within <see cref="WithinTimeRange"/> is stopped instead.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>A strategy with no restart limit.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, Timeout.InfiniteTimeSpan, decider)
    {
    }

    /// <summary>A strategy that stops a child after <paramref name="maxNrOfRetries"/> restarts within <paramref name="withinTimeRange"/>.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed in the window; -1 for no limit, 0 to stop on the first failure that would restart.</param>
    /// <param name="withinTimeRange">The window; <see cref="Timeout.InfiniteTimeSpan"/> counts restarts for the child's whole life.</param>
    /// <param name="decider">Maps an exception to a directive.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNrOfRetries, -1);
        if (withinTimeRange != Timeout.InfiniteTimeSpan && withinTimeRange <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), withinTimeRange, "Use a positive window or Timeout.InfiniteTimeSpan.");
        }

        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; -1 means no limit.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>The window in which restarts are counted.</summary>
    public TimeSpan WithinTimeRange { get; }

    internal override Directive Handle(IActorRef child, Exception cause, ChildRestartStats stats, DateTimeOffset now)
    {
        var directive = _decider(cause);
        if (directive != Directive.Restart || MaxNrOfRetries < 0)
        {
            return directive;
        }

        return stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now) ? Directive.Restart : Directive.Stop;
    }
}
