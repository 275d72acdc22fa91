using ActorChat.ChannelLayer.Cluster;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The conformance suite against the cluster layer, on a one-node cluster; each layer has a name of its own.</summary>
public sealed class ClusterChannelLayerTests() : ChannelLayerConformance(ClusterNodes.Config())
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ClusterNodes.JoinAsync(Sys, ClusterNodes.AddressOf(Sys));
    }

    protected override IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time)
    {
        var layer = new ClusterChannelLayer(Sys, "n" + Guid.NewGuid().ToString("N")[..8], options, time: time,
            cluster: new ClusterLayerOptions { Name = "l" + Guid.NewGuid().ToString("N") });
        layer.WaitReadyAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return layer;
    }

    protected override int LocalRoomCount(IChannelLayer layer) => ((ClusterChannelLayer)layer).RoomCount;
}
