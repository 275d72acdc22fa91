using System.Diagnostics.Metrics;

namespace ActorChat.ChannelLayer;

/// <summary>
/// A layer's counters, readable directly (tests, health) and published as observable instruments on the
/// <c>ActorChat.ChannelLayer</c> meter. Counting is one interlocked add per send or per fan-out, not per member.
/// </summary>
public sealed class ChannelLayerStats : IDisposable
{
    /// <summary>The meter name the layer's instruments are published under.</summary>
    public const string MeterName = "ActorChat.ChannelLayer";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _sends;
    private long _groupSends;
    private long _deliveries;
    private long _dropsFull;
    private long _dropsExpired;
    private long _dropsStopped;
    private long _crossNodeFailures;
    private long _presenceEntries;
    private long _presenceDiffs;

    /// <summary>Creates the counters; with <paramref name="meterFactory"/> (a node's DI), the meter is scoped to that node.</summary>
    internal ChannelLayerStats(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("actorchat_layer_sends", () => Sends, description: "Messages sent to single channels.");
        _meter.CreateObservableCounter("actorchat_layer_group_sends", () => GroupSends, description: "Messages sent to groups.");
        _meter.CreateObservableCounter("actorchat_layer_deliveries", () => Deliveries, description: "Messages handed to a member or buffered for a channel.");
        _meter.CreateObservableCounter("actorchat_layer_drops", () => new Measurement<long>[]
        {
            new(DropsFull, new KeyValuePair<string, object?>("reason", "full")),
            new(DropsExpired, new KeyValuePair<string, object?>("reason", "expired")),
            new(DropsStopped, new KeyValuePair<string, object?>("reason", "stopped")),
        }, description: "Messages not delivered, by reason.");
        _meter.CreateObservableCounter("actorchat_layer_cross_node_failures", () => CrossNodeFailures, description: "Sends to other nodes that failed.");
        _meter.CreateObservableGauge("actorchat_presence_entries", () => PresenceEntries, description: "Presence metas this node's connections have tracked now.");
        _meter.CreateObservableCounter("actorchat_presence_diffs", () => PresenceDiffs, description: "presence.diff messages this node sent to groups.");
    }

    /// <summary>Messages sent to single channels.</summary>
    public long Sends => Volatile.Read(ref _sends);

    /// <summary>Messages sent to groups (one per <c>group_send</c>, however many members).</summary>
    public long GroupSends => Volatile.Read(ref _groupSends);

    /// <summary>Messages handed to a member actor or buffered for a channel.</summary>
    public long Deliveries => Volatile.Read(ref _deliveries);

    /// <summary>Group messages skipped because a member's channel was full.</summary>
    public long DropsFull => Volatile.Read(ref _dropsFull);

    /// <summary>Messages dropped unreceived after <see cref="ChannelLayerOptions.Expiry"/>.</summary>
    public long DropsExpired => Volatile.Read(ref _dropsExpired);

    /// <summary>Group messages not delivered because the member had stopped.</summary>
    public long DropsStopped => Volatile.Read(ref _dropsStopped);

    /// <summary>Sends to other nodes that failed (Redis unreachable).</summary>
    public long CrossNodeFailures => Volatile.Read(ref _crossNodeFailures);

    /// <summary>Presence metas this node's connections have tracked now (a connection in two groups counts twice).</summary>
    public long PresenceEntries => Volatile.Read(ref _presenceEntries);

    /// <summary><c>presence.diff</c> messages this node sent to groups (one per batch of joins and leaves, however many members).</summary>
    public long PresenceDiffs => Volatile.Read(ref _presenceDiffs);

    internal void PresenceTracked(long change) => Interlocked.Add(ref _presenceEntries, change);

    internal void PresenceDiffSent() => Interlocked.Increment(ref _presenceDiffs);

    internal void Sent() => Interlocked.Increment(ref _sends);

    internal void GroupSent() => Interlocked.Increment(ref _groupSends);

    internal void Delivered(long count) => Interlocked.Add(ref _deliveries, count);

    internal void DroppedFull(long count) => Interlocked.Add(ref _dropsFull, count);

    internal void DroppedExpired(long count) => Interlocked.Add(ref _dropsExpired, count);

    internal void DroppedStopped(long count) => Interlocked.Add(ref _dropsStopped, count);

    internal void CrossNodeFailed() => Interlocked.Increment(ref _crossNodeFailures);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose(); // a factory's meter is the factory's to dispose
        }
    }
}
