using ActorChat.ChannelLayer.Redis;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The conformance suite against the Redis layer on a real three-master Redis Cluster (slot routing, sharded pub/sub).</summary>
public sealed class RedisClusterConformanceTests(RedisClusterFixture redis) : ChannelLayerConformance, IClassFixture<RedisClusterFixture>
{
    protected override IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time)
    {
        var layer = new RedisChannelLayer(Sys, options, new RedisLayerOptions
        {
            Endpoints = redis.Cluster.Endpoints,
            NodeId = "n" + Guid.NewGuid().ToString("N")[..8],
            KeyPrefix = "t" + Guid.NewGuid().ToString("N"),
            MembershipTtl = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        }, time: time);
        Assert.True(layer.IsCluster);
        Assert.True(layer.WaitConnectedAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult(), "the layer did not reach the Redis Cluster");
        return layer;
    }

    protected override int LocalRoomCount(IChannelLayer layer) => ((RedisChannelLayer)layer).RoomCount;
}
