using ActorChat.ChannelLayer.Cluster;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// The conformance suite against the cluster layer, on a cluster of three actor systems in this process (loopback ports,
/// joined with <c>Cluster.Join</c> and awaited Up). The layer under test runs on the test kit's system; every layer it makes
/// has twins of the same name on the other two nodes, so its group sends cross the wire to them.
/// </summary>
public sealed class ClusterChannelLayerTests() : ChannelLayerConformance(ClusterNodes.Config())
{
    private readonly List<ActorSystem> _peers = [];
    private readonly List<ClusterChannelLayer> _twins = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        EventFilter.Custom<Akka.Event.Error>(e => e.Cause?.GetType().Name == "EndpointDisassociatedException").Mute(); // the peers stop at the end
        var seed = ClusterNodes.AddressOf(Sys);
        _peers.Add(ActorSystem.Create(Sys.Name, ClusterNodes.Config()));
        _peers.Add(ActorSystem.Create(Sys.Name, ClusterNodes.Config()));
        await Task.WhenAll(new[] { Sys }.Concat(_peers).Select(system => ClusterNodes.JoinAsync(system, seed)));
    }

    protected override async Task BeforeShutdownAsync()
    {
        await base.BeforeShutdownAsync();
        foreach (var twin in _twins)
        {
            await twin.DisposeAsync();
        }

        await Task.WhenAll(_peers.Select(peer => peer.Terminate()));
    }

    protected override IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time)
    {
        var name = "l" + Guid.NewGuid().ToString("N");
        var layer = new ClusterChannelLayer(Sys, "a" + name[..8], options, time: time, cluster: new ClusterLayerOptions { Name = name });
        _twins.AddRange(_peers.Select((peer, i) => new ClusterChannelLayer(peer, $"{(char)('b' + i)}{name[..8]}", options, time: time, cluster: new ClusterLayerOptions { Name = name })));
        Task.WhenAll(_twins.TakeLast(2).Append(layer).Select(l => l.WaitReadyAsync(TimeSpan.FromSeconds(20)))).GetAwaiter().GetResult();
        return layer;
    }

    protected override int LocalRoomCount(IChannelLayer layer) => ((ClusterChannelLayer)layer).RoomCount;
}
