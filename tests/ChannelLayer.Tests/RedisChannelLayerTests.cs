using Akka.Actor;
using ActorChat.ChannelLayer.Redis;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The conformance suite against the Redis layer, with a real redis-server. Each layer gets its own key prefix.</summary>
public sealed class RedisChannelLayerTests(RedisFixture redis) : ChannelLayerConformance, IClassFixture<RedisFixture>
{
    protected override IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time) => Node(options, time, "n" + Guid.NewGuid().ToString("N")[..8], "t" + Guid.NewGuid().ToString("N"));

    protected override int LocalRoomCount(IChannelLayer layer) => ((RedisChannelLayer)layer).RoomCount;

    private RedisChannelLayer Node(ChannelLayerOptions? options, TimeProvider time, string nodeId, string prefix, ActorSystem? system = null)
    {
        var layer = new RedisChannelLayer(system ?? Sys, options, new RedisLayerOptions
        {
            Endpoints = [redis.Server.Endpoint],
            NodeId = nodeId,
            KeyPrefix = prefix,
            MembershipTtl = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        }, time: time);
        Assert.True(layer.WaitConnectedAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult(), "the layer did not connect to Redis");
        return layer;
    }
}
