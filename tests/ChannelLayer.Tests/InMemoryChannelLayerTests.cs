using ActorChat.ChannelLayer.InMemory;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The conformance suite against the in-memory layer.</summary>
public sealed class InMemoryChannelLayerTests : ChannelLayerConformance
{
    protected override IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time) => new InMemoryChannelLayer(Sys, options, time: time);

    protected override int LocalRoomCount(IChannelLayer layer) => ((InMemoryChannelLayer)layer).RoomCount;

    [Fact]
    public void Invalid_options_are_rejected_at_construction_naming_each_key()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InMemoryChannelLayer(Sys, new ChannelLayerOptions
        {
            Capacity = 0,
            Expiry = TimeSpan.Zero,
            GroupExpiry = TimeSpan.FromSeconds(-1),
            ChannelCapacity = { ["x.*"] = -5 },
        }));
        Assert.Contains("ChannelLayer:Capacity is 0", ex.Message);
        Assert.Contains("ChannelLayer:Expiry", ex.Message);
        Assert.Contains("ChannelLayer:GroupExpiry", ex.Message);
        Assert.Contains("ChannelLayer:ChannelCapacity:x.* is -5", ex.Message);
    }
}
