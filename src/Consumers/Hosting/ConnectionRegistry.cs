using System.Collections.Concurrent;

namespace ActorChat.Consumers.Hosting;

/// <summary>The node's open connections, so a shutdown can close them all with 1001 and wait for them.</summary>
internal sealed class ConnectionRegistry
{
    public ConnectionRegistry(BridgeMetrics metrics) => metrics.MailboxDepth = () => _open.Values.Sum(b => (long)b.ConsumerMailboxDepth);

    private readonly ConcurrentDictionary<long, ConnectionBridge> _open = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private volatile bool _stopping;

    /// <summary>True once shutdown began; new handshakes are refused with 503.</summary>
    public bool IsStopping => _stopping;

    public int Count => _open.Count;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ConnectionBridge bridge)
    {
        _open[bridge.Id] = bridge;
        if (_stopping)
        {
            bridge.CloseFromServer(CloseCodes.GoingAway, "server shutting down"); // accepted during the shutdown race
        }
    }

    public void Remove(ConnectionBridge bridge)
    {
        _open.TryRemove(bridge.Id, out _);
        if (_stopping && _open.IsEmpty)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new handshakes and closes every open connection with 1001.</summary>
    public void BeginShutdown()
    {
        _stopping = true;
        foreach (var bridge in _open.Values)
        {
            bridge.CloseFromServer(CloseCodes.GoingAway, "server shutting down");
        }

        if (_open.IsEmpty)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Drops every connection still open, for a shutdown whose time is up; their consumers still get the disconnect.</summary>
    public void AbortAll()
    {
        foreach (var bridge in _open.Values)
        {
            bridge.Abort();
        }
    }

    /// <summary>Completes when every connection has closed after <see cref="BeginShutdown"/>.</summary>
    public Task WhenDrained => _drained.Task;
}
