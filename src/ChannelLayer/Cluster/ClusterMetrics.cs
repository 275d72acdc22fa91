using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// The cluster layer's instruments on the <c>ActorChat.Cluster</c> meter: members by status, unreachable members, and the
/// messages the layer sent to and received from other nodes. All observable: read at scrape time from the cluster's state.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "ActorChat.Cluster";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ClusterMetrics(ActorSystem system, ClusterLayerState state, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var cluster = Akka.Cluster.Cluster.Get(system);
        _meter.CreateObservableGauge("actorchat_cluster_members", () => cluster.State.Members
            .GroupBy(m => m.Status)
            .Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("status", g.Key.ToString().ToLowerInvariant()))),
            description: "Cluster members by status, as this node sees them.");
        _meter.CreateObservableGauge("actorchat_cluster_unreachable", () => (long)cluster.State.Unreachable.Count,
            description: "Members this node's failure detector or another's marks unreachable.");
        _meter.CreateObservableCounter("actorchat_cluster_messages_sent", () => state.MessagesSent,
            description: "Messages this node sent to other nodes: a batch of the group messages waiting (the mediator copies it to each node), or one send to another node's channel.");
        _meter.CreateObservableCounter("actorchat_cluster_messages_received", () => state.MessagesReceived,
            description: "Messages other nodes sent to this node.");
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
