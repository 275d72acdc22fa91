using System.Net;
using System.Text;
using ActorChat.ChannelLayer.Redis;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The key-to-slot function and the slot map, checked against values from the Redis Cluster specification.</summary>
public sealed class RedisSlotsTests
{
    [Fact]
    public void Crc16_matches_the_reference_check_value() =>
        Assert.Equal(0x31C3, RedisSlots.Crc16(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("chan", 1463)]
    [InlineData("", 0)]
    public void Slots_match_what_redis_computes(string key, int slot) => Assert.Equal(slot, RedisSlots.Of(key));

    [Theory]
    [InlineData("{user1000}.following", "user1000")]
    [InlineData("{user1000}.followers", "user1000")]
    [InlineData("foo{}{bar}", "foo{}{bar}")]   // an empty tag: the whole key
    [InlineData("foo{{bar}}zap", "{bar")]      // from the first '{' to the next '}'
    [InlineData("foo{bar}{zap}", "bar")]       // only the first tag counts
    [InlineData("no{close", "no{close")]
    public void Hash_tags_pick_the_hashed_part_as_the_specification_says(string key, string hashed) =>
        Assert.Equal(RedisSlots.Of(hashed), RedisSlots.Of(key));

    [Fact]
    public void The_slot_map_reads_cluster_slots_and_an_empty_host_means_the_server_that_answered()
    {
        static RedisReply Range(int start, int end, string host, int port) =>
            new('*', Items: [new(':', start), new(':', end), new('*', Items: [new('$', Bulk: Encoding.UTF8.GetBytes(host)), new(':', port), new('$', Bulk: "id"u8.ToArray())])]);

        var reply = new RedisReply('*', Items: [Range(0, 8000, "10.0.0.1", 7000), Range(8001, 16383, "", 7001)]);
        var topology = RedisTopology.FromClusterSlots(reply, new IPEndPoint(IPAddress.Parse("10.0.0.9"), 7001));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7000), topology.OwnerOf("chan"));             // slot 1463
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.9"), 7001), topology.OwnerOf("foo"));              // slot 12182
        Assert.Equal(2, topology.Masters.Count);
    }

    [Fact]
    public void An_uncovered_slot_and_a_malformed_reply_fail_clearly()
    {
        var partial = new RedisReply('*', Items: [new('*', Items: [new(':', 0), new(':', 100), new('*', Items: [new('$', Bulk: "127.0.0.1"u8.ToArray()), new(':', 7000)])])]);
        var topology = RedisTopology.FromClusterSlots(partial, new IPEndPoint(IPAddress.Loopback, 7000));
        var ex = Assert.Throws<RedisUnavailableException>(() => topology.OwnerOf("foo"));
        Assert.Contains("slot 12182", ex.Message);

        Assert.Throws<FormatException>(() => RedisTopology.FromClusterSlots(new RedisReply('-', Text: "ERR cluster support disabled"), new IPEndPoint(IPAddress.Loopback, 7000)));
        Assert.Throws<FormatException>(() => RedisTopology.FromClusterSlots(new RedisReply('*', Items: [new('*', Items: [new(':', 0), new(':', 99999), new('*', Items: [new('$', Bulk: "h"u8.ToArray()), new(':', 1)])])]), new IPEndPoint(IPAddress.Loopback, 7000)));
    }
}
