using System.Diagnostics.Metrics;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The bridge's counters on the <c>ActorChat.Bridge</c> meter, also readable directly (tests, /metrics).
/// One interlocked add per event; no allocation.
/// </summary>
public sealed class BridgeMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "ActorChat.Bridge";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _open;
    private long _total;
    private long _framesIn;
    private long _framesOut;
    private long _writeBatches;
    private long _slowConsumerCloses;
    private long _refused;

    /// <summary>Creates the counters on a meter scoped to <paramref name="meterFactory"/> (the node's DI container), or a process-wide meter when null.</summary>
    public BridgeMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("actorchat_connections_open", () => ConnectionsOpen, description: "WebSocket connections open now.");
        _meter.CreateObservableCounter("actorchat_connections_total", () => ConnectionsTotal, description: "WebSocket connections accepted.");
        _meter.CreateObservableCounter("actorchat_connections_refused", () => ConnectionsRefused, description: "Handshakes refused (origin, consumer, shutdown).");
        _meter.CreateObservableCounter("actorchat_frames_in", () => FramesIn, description: "Messages received from clients.");
        _meter.CreateObservableCounter("actorchat_frames_out", () => FramesOut, description: "Frames sent to clients.");
        _meter.CreateObservableCounter("actorchat_write_batches", () => WriteBatches, description: "Batches of frames a connection's writer drained and flushed at once; frames_out / write_batches is the frames per batch.");
        _meter.CreateObservableGauge("actorchat_consumer_mailbox_depth", () => MailboxDepth?.Invoke() ?? 0, description: "Messages waiting in consumer mailboxes, summed over connections.");
        _meter.CreateObservableCounter("actorchat_slow_consumer_closes", () => SlowConsumerCloses, description: "Connections closed because their outgoing queue filled.");
    }

    /// <summary>Reports the summed consumer mailbox depth; the connection registry sets it.</summary>
    internal Func<long>? MailboxDepth { get; set; }

    /// <summary>Connections open now.</summary>
    public long ConnectionsOpen => Volatile.Read(ref _open);

    /// <summary>Connections accepted since start.</summary>
    public long ConnectionsTotal => Volatile.Read(ref _total);

    /// <summary>Handshakes refused since start.</summary>
    public long ConnectionsRefused => Volatile.Read(ref _refused);

    /// <summary>Messages received from clients.</summary>
    public long FramesIn => Volatile.Read(ref _framesIn);

    /// <summary>Frames sent to clients.</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    /// <summary>Writer flushes, one per batch of frames drained from a connection's queue.</summary>
    public long WriteBatches => Volatile.Read(ref _writeBatches);

    /// <summary>Connections closed with 1013 because the client read too slowly.</summary>
    public long SlowConsumerCloses => Volatile.Read(ref _slowConsumerCloses);

    internal void Opened()
    {
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _total);
    }

    internal void Closed() => Interlocked.Decrement(ref _open);

    internal void Refused() => Interlocked.Increment(ref _refused);

    internal void FrameIn() => Interlocked.Increment(ref _framesIn);

    internal void FramesSent(int count)
    {
        Interlocked.Add(ref _framesOut, count);
        Interlocked.Increment(ref _writeBatches);
    }

    internal void SlowConsumerClosed() => Interlocked.Increment(ref _slowConsumerCloses);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
