using System.Collections.Concurrent;
using ActorChat.ChannelLayer.Cluster;
using Akka.Actor;
using Akka.Serialization;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>Three nodes of one Akka.NET cluster in this process, on loopback ports, each with the cluster layer.</summary>
public sealed class ClusterAcrossNodesTests() : ConsumerTestKit(config: ClusterNodes.Config())
{
    private readonly List<ActorSystem> _systems = [];
    private readonly List<ClusterChannelLayer> _layers = [];

    private ClusterChannelLayer A => _layers[0];

    private ClusterChannelLayer B => _layers[1];

    private ClusterChannelLayer C => _layers[2];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Nodes leaving (a test's, or the others at the end) make Akka.Remote log the end of their association as an error.
        EventFilter.Custom<Akka.Event.Error>(e => e.Cause?.GetType().Name == "EndpointDisassociatedException").Mute();
        var seed = ClusterNodes.AddressOf(Sys);
        _systems.Add(Sys);
        _systems.Add(ActorSystem.Create(Sys.Name, ClusterNodes.Config()));
        _systems.Add(ActorSystem.Create(Sys.Name, ClusterNodes.Config()));
        await Task.WhenAll(_systems.Select(system => ClusterNodes.JoinAsync(system, seed)));
        string[] ids = ["a", "b", "c"];
        _layers.AddRange(_systems.Select((system, i) => new ClusterChannelLayer(system, ids[i], new ChannelLayerOptions { Capacity = 10_000 })));
        await Task.WhenAll(_layers.Select(layer => layer.WaitReadyAsync(TimeSpan.FromSeconds(20))));
    }

    protected override async Task BeforeShutdownAsync()
    {
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }

        await Task.WhenAll(_systems.Skip(1).Select(system => system.Terminate()));
    }

    private async Task<(Akka.TestKit.TestProbe Probe, string Channel)> MemberAsync(ClusterChannelLayer layer, ActorSystem system, string group)
    {
        var probe = CreateTestProbe(system);
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, probe.Ref);
        await layer.GroupAddAsync(group, channel);
        return (probe, channel);
    }

    private static ChannelMessage Msg(int n) => ChannelMessage.Create("test.message", new { n });

    [Fact]
    public async Task Every_node_knows_the_others_once_ready()
    {
        Assert.All(_layers, layer => Assert.True(layer.IsReady));
        Assert.Equal(["b", "c"], A.Peers.Order());
        Assert.Equal(["a", "c"], B.Peers.Order());
        Assert.Equal(["a", "b"], C.Peers.Order());
    }

    [Fact]
    public async Task A_group_message_reaches_members_on_every_node_exactly_once_in_the_senders_order_in_at_most_one_message_per_send()
    {
        var members = new List<Akka.TestKit.TestProbe>();
        for (var i = 0; i < 3; i++)
        {
            members.Add((await MemberAsync(_layers[i], _systems[i], "room")).Probe);
            members.Add((await MemberAsync(_layers[i], _systems[i], "room")).Probe);
        }

        var sentBefore = B.MessagesSent;
        for (var i = 0; i < 200; i++)
        {
            await B.GroupSendAsync("room", Msg(i));
        }

        foreach (var member in members)
        {
            var got = (await member.ReceiveNAsync(200).ToListAsync()).Cast<ChannelMessage>().Select(m => m.Get<int>("n"));
            Assert.Equal(Enumerable.Range(0, 200), got);
            await member.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        }

        Assert.InRange(B.MessagesSent - sentBefore, 1, 200); // batches of the group sends waiting, however many members and nodes
        Assert.Equal(6, (await A.GroupMembersAsync("room")).Count);
    }

    [Fact]
    public async Task A_join_is_a_join_a_send_from_another_node_right_after_the_join_reaches_the_member_in_200_fresh_groups()
    {
        var misses = 0;
        for (var i = 0; i < 200; i++)
        {
            var group = $"fresh-{i}-{Guid.NewGuid():N}";
            var (member, _) = await MemberAsync(A, Sys, group);
            await _layers[1 + (i % 2)].GroupSendAsync(group, Msg(i)); // from node b or c, at once
            try
            {
                Assert.Equal(i, (await member.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(3))).Get<int>("n"));
            }
            catch (Exception)
            {
                misses++;
            }
        }

        Assert.Equal(0, misses);
    }

    /// <summary>
    /// Akka.Remote drops a remote message over its maximum frame size with everything batched in it. A burst of 4 kB
    /// messages (which a batch of 256 frames would carry as one 1 MB message) and a 300 kB message each side of it must
    /// reach the other nodes whole and in order; a message no remote message can hold is refused alone, counted, and the
    /// next one still crosses.
    /// </summary>
    [Fact]
    public async Task Big_group_messages_and_bursts_of_them_reach_every_other_node_whole_and_in_order()
    {
        var (onB, _) = await MemberAsync(B, _systems[1], "big");
        var (onC, _) = await MemberAsync(C, _systems[2], "big");
        var (onA, _) = await MemberAsync(A, Sys, "big");
        var sizes = new List<int> { 300_000 };
        sizes.AddRange(Enumerable.Repeat(4_000, 200));
        sizes.Add(300_000);
        for (var i = 0; i < sizes.Count; i++)
        {
            await A.GroupSendAsync("big", ChannelMessage.Create("test.big", new { n = i, text = new string('x', sizes[i]) }));
        }

        foreach (var member in new[] { onB, onC })
        {
            var got = (await member.ReceiveNAsync(sizes.Count, TimeSpan.FromSeconds(20)).ToListAsync()).Cast<ChannelMessage>().ToList();
            Assert.Equal(Enumerable.Range(0, sizes.Count), got.Select(m => m.Get<int>("n")));
            Assert.Equal(sizes, got.Select(m => m.Get<string>("text")!.Length));
        }

        await onA.ReceiveNAsync(sizes.Count, TimeSpan.FromSeconds(20)).ToListAsync();
        var failuresBefore = A.Stats.CrossNodeFailures;
        await A.GroupSendAsync("big", ChannelMessage.Create("test.big", new { n = -1, text = new string('x', 5_000_000) }));
        await A.GroupSendAsync("big", ChannelMessage.Create("test.big", new { n = -2, text = "after" }));
        foreach (var member in new[] { onB, onC })
        {
            Assert.Equal(-2, (await member.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10))).Get<int>("n"));
        }

        Assert.Equal(-1, (await onA.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10))).Get<int>("n")); // this node's members got it
        Assert.Equal(failuresBefore + 1, A.Stats.CrossNodeFailures);
    }

    /// <summary>
    /// A node lists presence from its own replica, and replication lags a group send by up to a few hundred milliseconds.
    /// A member that joins right after another node's diff reached this node would then miss the change in both its list
    /// and its diffs, unless the node holds that diff until its replica has the change. So: once a member on node a has
    /// b's or c's diff, a's list must agree with it, at once, join and leave alike, in 20 fresh groups.
    /// </summary>
    [Fact]
    public async Task Once_a_member_has_another_nodes_diff_its_nodes_list_has_that_change()
    {
        var disagreements = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var group = $"replicated-{i}-{Guid.NewGuid():N}";
            var (watcher, _) = await MemberAsync(A, Sys, group);
            var other = _layers[1 + (i % 2)];
            var (_, tracked) = await MemberAsync(other, _systems[1 + (i % 2)], "elsewhere");
            await other.GroupAddAsync(group, tracked, new PresenceInfo($"user{i}"));

            Assert.True(HasChannel(await NextDiffAsync(watcher), tracked, joins: true));
            if (!(await A.PresenceAsync(group)).Any(e => e.Metas.Any(m => m.Channel == tracked)))
            {
                disagreements.Add($"{group}: a's member had the join, a's list did not");
            }

            await other.GroupDiscardAsync(group, tracked);
            Assert.True(HasChannel(await NextDiffAsync(watcher), tracked, joins: false));
            if ((await A.PresenceAsync(group)).Any(e => e.Metas.Any(m => m.Channel == tracked)))
            {
                disagreements.Add($"{group}: a's member had the leave, a's list still had the channel");
            }
        }

        Assert.Empty(disagreements);
    }

    /// <summary>
    /// A node that joins the cluster after presence was tracked gets the sets already there from DistributedData's
    /// full-state gossip (deltas carry only later changes), so it lists them within about two rounds of the layer's 10 s
    /// gossip (README, "Presence"), and the changes after it joined as they happen.
    /// </summary>
    [Fact]
    public async Task A_node_that_joins_later_lists_the_presence_already_there_within_two_gossip_rounds()
    {
        var group = $"late-{Guid.NewGuid():N}";
        var channels = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (_, channel) = await MemberAsync(B, _systems[1], "elsewhere");
            await B.GroupAddAsync(group, channel, new PresenceInfo($"user{i}"));
            channels.Add(channel);
        }

        await AwaitAssertAsync(async () => Assert.Equal(10, (await A.PresenceAsync(group)).Count), TimeSpan.FromSeconds(10));

        var late = ActorSystem.Create(Sys.Name, ClusterNodes.Config());
        _systems.Add(late); // terminated with the others
        var joined = System.Diagnostics.Stopwatch.StartNew();
        await ClusterNodes.JoinAsync(late, ClusterNodes.AddressOf(Sys));
        var layer = new ClusterChannelLayer(late, "d", new ChannelLayerOptions { Capacity = 10_000 });
        _layers.Add(layer);
        await layer.WaitReadyAsync(TimeSpan.FromSeconds(20));
        await AwaitAssertAsync(async () => Assert.Equal(channels.Order(), Channels(await layer.PresenceAsync(group)).Order()),
            TimeSpan.FromSeconds(25), TimeSpan.FromMilliseconds(250));
        Assert.InRange(joined.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(25));

        var (_, after) = await MemberAsync(C, _systems[2], "elsewhere");
        await C.GroupAddAsync(group, after, new PresenceInfo("after"));
        await AwaitAssertAsync(async () => Assert.Contains(after, Channels(await layer.PresenceAsync(group))), TimeSpan.FromSeconds(5));

        static IEnumerable<string> Channels(IReadOnlyList<PresenceEntry> entries) => entries.SelectMany(e => e.Metas).Select(m => m.Channel);
    }

    /// <summary>
    /// A group's metas are spread over several replicated sets, so a big room is not one set merged and gossiped whole:
    /// 120 channels tracked on b land in every shard, every node lists each of them exactly once, and after half leave,
    /// every node lists exactly the other half.
    /// </summary>
    [Fact]
    public async Task A_big_groups_presence_is_spread_over_every_shard_and_every_node_lists_it_whole()
    {
        var group = $"spread-{Guid.NewGuid():N}";
        var channels = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var channel = await B.NewChannelAsync();
            await B.GroupAddAsync(group, channel, new PresenceInfo($"user{i % 40}"));
            channels.Add(channel);
        }

        Assert.Equal(ClusterPresenceStore.Shards, channels.Select(ClusterPresenceStore.ShardOf).Distinct().Count());
        var keys = await DistributedDataKeysAsync(Sys);
        Assert.Equal(Enumerable.Range(0, ClusterPresenceStore.Shards).Select(shard => ClusterPresenceStore.Key(group, shard).Id).Order(),
            keys.Where(k => k.Contains(group, StringComparison.Ordinal)).Order());
        await ListsExactlyAsync(group, channels);

        foreach (var channel in channels.Where((_, i) => i % 2 == 0))
        {
            await B.GroupDiscardAsync(group, channel);
        }

        await ListsExactlyAsync(group, [.. channels.Where((_, i) => i % 2 == 1)]);
    }

    /// <summary>
    /// Every node must put a channel's meta in the same shard, so the shard is a fixed function of the name (FNV-1a),
    /// not <see cref="string.GetHashCode()"/>, which is seeded per process: the three nodes of these tests share one
    /// process and would agree even then, so the values are pinned here.
    /// </summary>
    [Theory]
    [InlineData("specific.a!x1", 4)]
    [InlineData("specific.b!0f3c9a", 2)]
    [InlineData("chat.lobby", 5)]
    public void A_channels_shard_is_the_same_in_every_process(string channel, int shard) =>
        Assert.Equal(shard, ClusterPresenceStore.ShardOf(channel));

    private static async Task<IReadOnlyCollection<string>> DistributedDataKeysAsync(ActorSystem system)
    {
        var replicator = Akka.DistributedData.DistributedData.Get(system).Replicator;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var keys = (await replicator.Ask<Akka.DistributedData.GetKeysIdsResult>(Akka.DistributedData.Dsl.GetKeyIds, TimeSpan.FromSeconds(3))).Keys;
            if (keys.Count(k => k.StartsWith("actorchat-presence:", StringComparison.Ordinal)) >= ClusterPresenceStore.Shards || DateTime.UtcNow > deadline)
            {
                return keys;
            }

            await Task.Delay(50); // polling the replica until replication reaches it, not a wait for a fixed time
        }
    }

    /// <summary>Waits until every node lists exactly <paramref name="channels"/> in <paramref name="group"/>, each once.</summary>
    private async Task ListsExactlyAsync(string group, IReadOnlyList<string> channels)
    {
        var expected = channels.Order().ToList();
        foreach (var layer in _layers)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            List<string> listed;
            while (true)
            {
                listed = [.. (await layer.PresenceAsync(group)).SelectMany(e => e.Metas).Select(m => m.Channel).Order()];
                if (listed.SequenceEqual(expected) || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.Equal(expected, listed);
        }
    }

    private static async Task<PresenceDiff> NextDiffAsync(Akka.TestKit.TestProbe member)
    {
        var message = await member.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10));
        Assert.Equal(PresenceDiff.MessageType, message.Type);
        return System.Text.Json.JsonSerializer.Deserialize<PresenceDiff>(message.PayloadJson.Span, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
    }

    private static bool HasChannel(PresenceDiff diff, string channel, bool joins) =>
        (joins ? diff.Joins : diff.Leaves).Values.SelectMany(m => m.Metas).Any(m => m.Channel == channel);

    [Fact]
    public async Task A_send_to_a_channel_on_another_node_reaches_its_actor_through_remoting()
    {
        var probe = CreateTestProbe(_systems[2]);
        var channel = await C.NewChannelAsync("consumer");
        C.Bind(channel, probe.Ref);
        await A.SendAsync(channel, Msg(7));
        Assert.Equal(7, (await probe.ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => A.SendAsync("consumer.nosuchnode!abc", Msg(8)).AsTask());
    }

    [Fact]
    public async Task Worker_channels_are_shared_by_the_nodes_and_each_message_goes_to_one_receiver()
    {
        const int count = 40;
        var received = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var workers = new[] { B, C }.Select(layer => Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    received.Add((await layer.ReceiveAsync("jobs.shared", stop.Token)).Get<int>("n"));
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();
        for (var i = 0; i < count; i++)
        {
            await A.SendAsync("jobs.shared", Msg(i));
        }

        await AwaitAssertAsync(() => Assert.Equal(count, received.Count), TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, count), received.Order());
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await A.SendAsync("jobs.shared", Msg(99)); // a cancelled receive does not swallow the next message
        Assert.Equal(99, (await B.ReceiveAsync("jobs.shared")).Get<int>("n"));
    }

    [Fact]
    public async Task A_node_that_leaves_takes_its_members_out_of_the_group_and_the_others_go_on()
    {
        await MemberAsync(A, Sys, "crowd");
        await MemberAsync(C, _systems[2], "crowd");
        Assert.Equal(2, (await A.GroupMembersAsync("crowd")).Count);

        await Akka.Actor.CoordinatedShutdown.Get(_systems[2]).Run(Akka.Actor.CoordinatedShutdown.ClrExitReason.Instance);
        await AwaitAssertAsync(async () =>
        {
            Assert.DoesNotContain("c", A.Peers);
            Assert.Single(await A.GroupMembersAsync("crowd"));
        }, TimeSpan.FromSeconds(15));

        var (stay, _) = await MemberAsync(B, _systems[1], "crowd");
        await A.GroupSendAsync("crowd", Msg(1));
        Assert.Equal(1, (await stay.ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
    }

    [Fact]
    public void Every_message_that_crosses_nodes_has_the_layers_serializer_and_round_trips()
    {
        var relay = CreateTestProbe().Ref;
        byte[] payload = [(byte)'{', (byte)'}'];
        object[] messages =
        [
            new GroupBatch([new GroupFrame("g", "t.x", payload), new GroupFrame("h", "t.y", payload)]), new DirectFrame("c.n!1", "t.x", payload), new Hello("a", relay), new HelloBack("a", relay, "b"),
            new GetLocalMembers("g"), new LocalMembers(["x", "y"]), new Enqueue("jobs", "t.x", payload), new Enqueued(true, 5, 1),
            new Dequeue("jobs", 3), new Dequeued("jobs", 3, "t.x", payload, 2), new CancelDequeue("jobs", 3), new Requeue("jobs", "t.x", payload),
            FlushQueues.Instance, QueuesFlushed.Instance,
        ];
        // Every message type that crosses nodes is in the list above, so a new one cannot skip this test.
        var crossing = typeof(IClusterMessage).Assembly.GetTypes().Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && !t.IsInterface);
        Assert.Empty(crossing.Except(messages.Select(m => m.GetType())));

        var serialization = Sys.Serialization;
        foreach (var message in messages)
        {
            var serializer = Assert.IsType<ClusterMessageSerializer>(serialization.FindSerializerFor(message));
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            var back = serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType(), Options), System.Text.Json.JsonSerializer.Serialize(back, back.GetType(), Options));
        }
    }

    [Fact]
    public void A_group_batch_is_serialized_once_however_many_nodes_it_goes_to_and_keeps_multibyte_text()
    {
        var batch = new GroupBatch([new GroupFrame("caf\u00e9", "chat.m\u00e9ssage", "{\"message\":\"\u00fcber \ud83d\ude00\"}"u8.ToArray()), new GroupFrame("g", "t", [])]);
        var serializer = Assert.IsType<ClusterMessageSerializer>(Sys.Serialization.FindSerializerFor(batch));

        var first = serializer.ToBinary(batch);
        Assert.Same(first, serializer.ToBinary(batch)); // the second recipient node reuses the bytes
        var back = Assert.IsType<GroupBatch>(serializer.FromBinary(first, "G"));
        Assert.Equal(["caf\u00e9", "g"], back.Frames.Select(f => f.Group));
        Assert.Equal(["chat.m\u00e9ssage", "t"], back.Frames.Select(f => f.Type));
        Assert.Equal(batch.Frames[0].Payload, back.Frames[0].Payload);
        Assert.Empty(back.Frames[1].Payload);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Options = new() { Converters = { new ActorRefAsPath() } };

    /// <summary>Compares actor refs by path in the round-trip test.</summary>
    private sealed class ActorRefAsPath : System.Text.Json.Serialization.JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(System.Text.Json.Utf8JsonWriter writer, IActorRef value, System.Text.Json.JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Path.ToString());
    }
}
