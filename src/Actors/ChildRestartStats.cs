namespace ActorChat.Actors;

/// <summary>One child's restart count within the current supervision window.</summary>
internal sealed class ChildRestartStats
{
    private int _restarts;
    private DateTimeOffset _windowStart;

    /// <summary>Counts one more restart and says whether it stays within the limit.</summary>
    public bool RequestRestartPermission(int maxRetries, TimeSpan window, DateTimeOffset now)
    {
        if (window != Timeout.InfiniteTimeSpan && (_restarts == 0 || now - _windowStart > window))
        {
            _windowStart = now;
            _restarts = 0;
        }

        _restarts++;
        return _restarts <= maxRetries;
    }
}
