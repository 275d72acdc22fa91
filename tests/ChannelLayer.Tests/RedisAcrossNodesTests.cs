using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using ActorChat.ChannelLayer.Redis;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>Two or three nodes (each its own actor system and layer) sharing one real redis-server.</summary>
public sealed class RedisAcrossNodesTests : ConsumerTestKit
{
    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly string _prefix = "x" + Guid.NewGuid().ToString("N");
    private RedisServer _redis = null!;

    public override async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    protected override async Task BeforeShutdownAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    /// <param name="id">The node id.</param>
    /// <param name="time">The node's clock; a <see cref="FakeTimeProvider"/> stops its heartbeat until advanced.</param>
    /// <param name="redisSettings">StackExchange.Redis settings after the endpoint, such as <c>,asyncTimeout=1000</c>.</param>
    private async Task<RedisChannelLayer> NodeAsync(string id, TimeProvider? time = null, string redisSettings = "")
    {
        var system = ActorSystem.Create("node-" + id);
        var layer = new RedisChannelLayer(system, new ChannelLayerOptions { Capacity = 10_000 }, new RedisLayerOptions
        {
            Endpoints = [_redis.Endpoint + redisSettings],
            NodeId = id,
            KeyPrefix = _prefix,
            MembershipTtl = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        }, time: time);
        _cleanup.Add(new TerminateOnDispose(system));
        _cleanup.Add(layer);
        Assert.True(await layer.WaitConnectedAsync(TimeSpan.FromSeconds(5)));
        return layer;
    }

    private async Task<(TestProbe Probe, string Channel)> MemberAsync(IChannelLayer layer, string group)
    {
        var probe = CreateTestProbe();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, probe.Ref);
        await layer.GroupAddAsync(group, channel);
        return (probe, channel);
    }

    private static ChannelMessage Msg(int n) => ChannelMessage.Create("test.message", new { n });

    [Fact]
    public async Task A_group_message_reaches_members_on_every_node_exactly_once_in_order()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var onA = await MemberAsync(a, "room");
        var onB = await MemberAsync(b, "room");
        for (var i = 0; i < 200; i++)
        {
            await a.GroupSendAsync("room", Msg(i));
        }

        foreach (var (probe, _) in new[] { onA, onB })
        {
            var got = (await probe.ReceiveNAsync(200).ToListAsync()).Cast<ChannelMessage>().Select(m => m.Get<int>("n"));
            Assert.Equal(Enumerable.Range(0, 200), got);
            await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // the sending node did not deliver its own publish twice
        }
    }

    [Fact]
    public async Task Each_senders_order_holds_across_nodes_with_several_senders_at_once_in_groups_and_direct_sends()
    {
        // StackExchange.Redis runs handler callbacks concurrently; the layer reads each subscription through one queue.
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var c = await NodeAsync("c");
        var member = await MemberAsync(c, "ordered");
        var direct = CreateTestProbe();
        var directChannel = await c.NewChannelAsync();
        c.Bind(directChannel, direct.Ref);
        const int PerSender = 2_000;

        // Four senders, two per node, each with its own sequence, all at once.
        var senders = new[] { (a, "a1"), (a, "a2"), (b, "b1"), (b, "b2") }.Select(sender => Task.Run(async () =>
        {
            for (var n = 0; n < PerSender; n++)
            {
                var message = ChannelMessage.Create("test.message", new { from = sender.Item2, n });
                await sender.Item1.GroupSendAsync("ordered", message);
                if (n % 10 == 0)
                {
                    await sender.Item1.SendAsync(directChannel, message);
                }
            }
        }));
        await Task.WhenAll(senders);

        var last = new Dictionary<string, int>();
        for (var i = 0; i < 4 * PerSender; i++)
        {
            var message = await member.Probe.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10));
            var from = message.Get<string>("from")!;
            var n = message.Get<int>("n");
            Assert.Equal(last.GetValueOrDefault(from, -1) + 1, n); // every message of each sender, in its order
            last[from] = n;
        }

        var lastDirect = new Dictionary<string, int>();
        for (var i = 0; i < 4 * PerSender / 10; i++)
        {
            var message = await direct.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10));
            var from = message.Get<string>("from")!;
            Assert.Equal(lastDirect.GetValueOrDefault(from, -10) + 10, message.Get<int>("n"));
            lastDirect[from] = message.Get<int>("n");
        }

        await member.Probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // and nothing twice
        Assert.Equal(0, a.Stats.CrossNodeFailures + b.Stats.CrossNodeFailures);
    }

    [Fact]
    public async Task A_send_to_a_channel_on_another_node_reaches_its_actor_and_workers_share_named_channels()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var (probe, channel) = await MemberAsync(b, "unused");
        Assert.Contains(".b!", channel);
        await a.SendAsync(channel, Msg(7));
        Assert.Equal(7, (await probe.ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));

        await a.SendAsync("jobs.resize", Msg(1));
        await a.SendAsync("jobs.resize", Msg(2));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(1, (await b.ReceiveAsync("jobs.resize", cts.Token)).Get<int>("n"));
        Assert.Equal(2, (await a.ReceiveAsync("jobs.resize", cts.Token)).Get<int>("n"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => a.ReceiveAsync(channel).AsTask());
        Assert.Contains("process-local to node 'b'", ex.Message);
    }

    [Fact]
    public async Task Membership_is_visible_from_any_node_and_a_dead_nodes_members_drop_out_within_the_ttl()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var (_, onA) = await MemberAsync(a, "room");
        var (_, onB) = await MemberAsync(b, "room");
        Assert.Equal(new[] { onA, onB }.Order(), (await a.GroupMembersAsync("room")).Order());
        Assert.Equal(new[] { onA, onB }.Order(), (await b.GroupMembersAsync("room")).Order());

        await b.DisposeAsync(); // b stops refreshing, as a killed node would
        await AwaitAssertAsync(async () => Assert.Equal([onA], await a.GroupMembersAsync("room")), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task While_redis_is_down_local_rooms_work_cross_node_sends_fail_clearly_and_everything_recovers_without_duplicates()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var onA = await MemberAsync(a, "room");
        var onB = await MemberAsync(b, "room");
        var (_, channelOnB) = await MemberAsync(b, "other");

        await _redis.StopAsync();
        await AwaitAssertAsync(async () => Assert.False(await a.IsReachableAsync()), TimeSpan.FromSeconds(5));
        await a.GroupSendAsync("room", Msg(1));
        Assert.Equal(1, (await onA.Probe.ExpectMsgAsync<ChannelMessage>()).Get<int>("n")); // local delivery goes on
        await onB.Probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(a.Stats.CrossNodeFailures >= 1);
        var ex = await Assert.ThrowsAsync<RedisUnavailableException>(() => a.SendAsync(channelOnB, Msg(2)).AsTask());
        Assert.Contains("unreachable", ex.Message + ex.InnerException?.Message, StringComparison.OrdinalIgnoreCase);

        await _redis.StartProcessAsync();
        await AwaitAssertAsync(async () => Assert.True(await a.IsReachableAsync() && await b.IsReachableAsync()), TimeSpan.FromSeconds(10));
        Assert.Equal(2, b.SubscriberConnections); // reconnected once, without a restart

        await AwaitAssertAsync(async () =>
        {
            await a.GroupSendAsync("room", Msg(3));
            await onA.Probe.ExpectMsgAsync<ChannelMessage>(m => m.Get<int>("n") == 3);
            await onB.Probe.FishForMessageAsync<ChannelMessage>(m => m.Get<int>("n") == 3, TimeSpan.FromMilliseconds(300));
        }, TimeSpan.FromSeconds(10));

        await a.GroupSendAsync("room", Msg(4));
        Assert.Equal(4, (await onB.Probe.ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        await onB.Probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // one subscription: no duplicate
    }

    [Fact]
    public async Task A_node_that_stalls_past_the_ttl_is_announced_as_leaving_then_as_joining_again_and_the_list_and_diffs_agree()
    {
        var a = await NodeAsync("a");
        var stalled = new FakeTimeProvider(DateTimeOffset.UtcNow); // b's heartbeat runs only when this clock moves
        var b = await NodeAsync("b", stalled);
        var (watcher, _) = await MemberAsync(a, "lobby");
        var ada = await b.NewChannelAsync();
        var bob = await b.NewChannelAsync();
        await b.TrackAsync("lobby", ada, new PresenceInfo("ada"));
        await b.TrackAsync("lobby", bob, new PresenceInfo("bob"));
        var seen = new List<string>();
        await ReadDiffsAsync(watcher, seen, 2);
        Assert.Equal(["+ada", "+bob"], seen.Order());

        // b renews nothing: a's heartbeat sweeps b's entries after the TTL and announces both as leaves.
        await ReadDiffsAsync(watcher, seen, 4);
        Assert.Equal(["-ada", "-bob"], seen.Skip(2).Order());
        Assert.Empty(await a.PresenceAsync("lobby"));

        // bob leaves while b is away (its leave went out with the sweep); then b's clock catches up and it beats: its
        // metas go back at once, and ada is announced back once the sweep's leaves have had time to go out.
        await b.UntrackAsync("lobby", bob);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (seen.Count < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, $"b did not announce ada back; the watcher saw {string.Join(" ", seen)}");
            stalled.SetUtcNow(DateTimeOffset.UtcNow); // one heartbeat of b
            if (await watcher.ReceiveOneAsync(TimeSpan.FromMilliseconds(300)) is { } message)
            {
                Read((ChannelMessage)message, seen);
            }
        }

        Assert.Equal("+ada", seen[4]); // ada is back, announced once; bob is not
        Assert.Equal(["ada"], (await a.PresenceAsync("lobby")).Select(e => e.Key));

        await b.UntrackAsync("lobby", ada);
        await ReadDiffsAsync(watcher, seen, 6);
        Assert.Equal("-ada", seen[5]);
        await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500)); // nothing twice
        Assert.Empty(await a.PresenceAsync("lobby"));
    }

    [Fact]
    public async Task While_redis_hangs_cross_node_calls_fail_as_unavailable_within_the_timeout_and_all_recovers()
    {
        var a = await NodeAsync("a", redisSettings: ",asyncTimeout=1000");
        var b = await NodeAsync("b", redisSettings: ",asyncTimeout=1000");
        var onA = await MemberAsync(a, "room");
        var (_, channelOnB) = await MemberAsync(b, "other");

        await _redis.FreezeAsync(true); // SIGSTOP: the connections stay up, no command is answered
        try
        {
            // A hung Redis times out (StackExchange.Redis throws a TimeoutException, not a RedisException): the caller
            // still gets the layer's one error, and the node's own rooms go on.
            var send = await Assert.ThrowsAsync<RedisUnavailableException>(() => a.SendAsync(channelOnB, Msg(1)).AsTask());
            Assert.IsType<RedisTimeoutException>(send.InnerException);
            await Assert.ThrowsAsync<RedisUnavailableException>(() => a.PresenceAsync("room").AsTask());
            await a.GroupSendAsync("room", Msg(2));
            Assert.Equal(2, (await onA.Probe.ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        }
        finally
        {
            await _redis.FreezeAsync(false);
        }

        await AwaitAssertAsync(async () => Assert.True(await a.IsReachableAsync() && await b.IsReachableAsync()), TimeSpan.FromSeconds(10));
        await a.SendAsync(channelOnB, Msg(3));
        Assert.Empty(await a.PresenceAsync("room"));
    }

    [Fact]
    public async Task After_redis_loses_its_data_a_node_announces_no_join_twice_and_a_leave_once()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var (watcher, _) = await MemberAsync(a, "lobby");
        var ada = await b.NewChannelAsync();
        await b.TrackAsync("lobby", ada, new PresenceInfo("ada"));
        var seen = new List<string>();
        await ReadDiffsAsync(watcher, seen, 1);

        // A restart without persistence: every key is gone, nobody was swept, nobody announced anything. b's heartbeat
        // writes ada back without announcing her again.
        await _redis.StopAsync();
        await _redis.StartProcessAsync();
        await AwaitAssertAsync(async () => Assert.True(await a.IsReachableAsync() && await b.IsReachableAsync()), TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(async () => Assert.Equal(["ada"], (await a.PresenceAsync("lobby")).Select(e => e.Key)), TimeSpan.FromSeconds(5));

        await b.UntrackAsync("lobby", ada);
        await ReadDiffsAsync(watcher, seen, 2);
        Assert.Equal(["+ada", "-ada"], seen);
        await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
    }

    /// <summary>Reads presence diffs into <paramref name="seen"/> until it holds <paramref name="count"/>.</summary>
    private static async Task ReadDiffsAsync(TestProbe probe, List<string> seen, int count)
    {
        while (seen.Count < count)
        {
            Read(await probe.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10)), seen);
        }

        Assert.Equal(count, seen.Count);
    }

    /// <summary>Adds a presence diff to <paramref name="seen"/>: "+key" per join, then "-key" per leave.</summary>
    private static void Read(ChannelMessage message, List<string> seen)
    {
        Assert.Equal(PresenceDiff.MessageType, message.Type);
        var diff = JsonSerializer.Deserialize<PresenceDiff>(message.PayloadJson.Span, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        seen.AddRange(diff.Joins.SelectMany(k => k.Value.Metas.Select(m => "+" + m.Key)));
        seen.AddRange(diff.Leaves.SelectMany(k => k.Value.Metas.Select(m => "-" + m.Key)));
    }
}
