using Akka.Actor;
using Microsoft.Extensions.Time.Testing;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// The channel layer spec, written once. Each layer implementation runs it by subclassing and
/// saying how to create the layer; a layer passes when every test here passes against it.
/// </summary>
public abstract partial class ChannelLayerConformance : ConsumerTestKit
{
    private readonly List<IChannelLayer> _layers = [];

    protected ChannelLayerConformance(Akka.Configuration.Config? config = null)
        : base(time: new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), config: config)
    {
    }

    protected FakeTimeProvider Clock => (FakeTimeProvider)Time;

    /// <summary>Creates the layer under test in <c>Sys</c>, on <paramref name="time"/>.</summary>
    protected abstract IChannelLayer CreateLayer(ChannelLayerOptions options, TimeProvider time);

    /// <summary>How many room actors this node of <paramref name="layer"/> has.</summary>
    protected abstract int LocalRoomCount(IChannelLayer layer);

    protected IChannelLayer NewLayer(ChannelLayerOptions? options = null)
    {
        var layer = CreateLayer(options ?? new ChannelLayerOptions(), Time);
        _layers.Add(layer);
        return layer;
    }

    protected override async Task BeforeShutdownAsync()
    {
        foreach (var layer in _layers)
        {
            await layer.DisposeAsync();
        }
    }

    private static ChannelMessage Msg(string text, int n = 0) => ChannelMessage.Create("test.message", new { text, n });

    private static async Task<ChannelMessage?> TryReceive(IChannelLayer layer, string channel, int milliseconds = 150)
    {
        using var cts = new CancellationTokenSource(milliseconds);
        try
        {
            return await layer.ReceiveAsync(channel, cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<ChannelMessage> Receive(IChannelLayer layer, string channel)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.DefaultTimeout);
        return await layer.ReceiveAsync(channel, cts.Token);
    }

    [Fact]
    public async Task Send_then_receive_returns_the_message_with_its_type_and_fields()
    {
        var layer = NewLayer();
        await layer.SendAsync("test.channel", Msg("hi", 3));
        var received = await Receive(layer, "test.channel");
        Assert.Equal("test.message", received.Type);
        Assert.Equal("hi", received.Get<string>("text"));
        Assert.Equal(3, received.Get<int>("n"));
    }

    [Fact]
    public async Task Receive_waits_for_a_later_send_and_messages_keep_their_order()
    {
        var layer = NewLayer();
        var pending = layer.ReceiveAsync("test.later").AsTask();
        Assert.False(pending.IsCompleted);
        for (var i = 0; i < 50; i++)
        {
            await layer.SendAsync("test.later", Msg("m", i));
        }

        Assert.Equal(0, (await pending.WaitAsync(TestTimeouts.DefaultTimeout)).Get<int>("n"));
        for (var i = 1; i < 50; i++)
        {
            Assert.Equal(i, (await Receive(layer, "test.later")).Get<int>("n"));
        }
    }

    [Fact]
    public async Task NewChannel_returns_unique_process_local_names_with_the_prefix()
    {
        var layer = NewLayer();
        var names = new HashSet<string>();
        for (var i = 0; i < 1_000; i++)
        {
            var name = await layer.NewChannelAsync("worker");
            Assert.StartsWith("worker.", name);
            Assert.True(ChannelNames.IsProcessLocal(name), name);
            ChannelNames.ValidateChannel(name);
            Assert.True(names.Add(name), $"duplicate {name}");
        }
    }

    [Fact]
    public async Task Group_send_reaches_every_member_and_discard_removes_exactly_one()
    {
        var layer = NewLayer();
        await layer.GroupAddAsync("room", "member.a");
        await layer.GroupAddAsync("room", "member.b");
        await layer.GroupSendAsync("room", Msg("first"));
        Assert.Equal("first", (await Receive(layer, "member.a")).Get<string>("text"));
        Assert.Equal("first", (await Receive(layer, "member.b")).Get<string>("text"));

        await layer.GroupDiscardAsync("room", "member.b");
        await layer.GroupSendAsync("room", Msg("second"));
        Assert.Equal("second", (await Receive(layer, "member.a")).Get<string>("text"));
        Assert.Null(await TryReceive(layer, "member.b"));
        Assert.Equal(["member.a"], await layer.GroupMembersAsync("room"));
    }

    [Fact]
    public async Task A_member_of_several_groups_receives_from_each_once()
    {
        var layer = NewLayer();
        await layer.GroupAddAsync("room1", "member.multi");
        await layer.GroupAddAsync("room2", "member.multi");
        await layer.GroupAddAsync("room2", "member.multi"); // adding twice is one membership
        await layer.GroupSendAsync("room1", Msg("from1"));
        await layer.GroupSendAsync("room2", Msg("from2"));
        var texts = new[] { (await Receive(layer, "member.multi")).Get<string>("text"), (await Receive(layer, "member.multi")).Get<string>("text") };
        Assert.Equal(["from1", "from2"], texts.Order());
        Assert.Null(await TryReceive(layer, "member.multi"));
    }

    [Fact]
    public async Task Discarding_a_non_member_or_from_an_unknown_group_does_nothing()
    {
        var layer = NewLayer();
        await layer.GroupDiscardAsync("nobody.here", "member.x");
        await layer.GroupAddAsync("room", "member.a");
        await layer.GroupDiscardAsync("room", "member.x");
        await layer.GroupSendAsync("room", Msg("still"));
        Assert.Equal("still", (await Receive(layer, "member.a")).Get<string>("text"));
        await layer.GroupSendAsync("empty.group", Msg("to nobody")); // no members: nothing happens, nothing throws
    }

    [Fact]
    public async Task Sending_past_capacity_throws_ChannelFullException_naming_the_channel_and_the_option()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 3 });
        for (var i = 0; i < 3; i++)
        {
            await layer.SendAsync("test.full", Msg("m", i));
        }

        var ex = await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync("test.full", Msg("over")).AsTask());
        Assert.Equal("test.full", ex.Channel);
        Assert.Equal(3, ex.Capacity);
        Assert.Contains("ChannelLayer:Capacity", ex.Message);
        Assert.Equal(0, (await Receive(layer, "test.full")).Get<int>("n"));
        await layer.SendAsync("test.full", Msg("fits again"));
    }

    [Fact]
    public async Task A_capacity_pattern_overrides_the_default_for_matching_channels()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 2, ChannelCapacity = { ["big.*"] = 5 } });
        for (var i = 0; i < 5; i++)
        {
            await layer.SendAsync("big.queue", Msg("m", i));
        }

        await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync("big.queue", Msg("over")).AsTask());
        await layer.SendAsync("small.queue", Msg("a"));
        await layer.SendAsync("small.queue", Msg("b"));
        await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync("small.queue", Msg("over")).AsTask());
    }

    [Fact]
    public async Task A_consumers_own_channel_has_the_consumer_capacity()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 2, ConsumerCapacity = 4 });
        var channel = await layer.NewChannelAsync("consumer");
        for (var i = 0; i < 4; i++)
        {
            await layer.SendAsync(channel, Msg("m", i));
        }

        var ex = await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync(channel, Msg("over")).AsTask());
        Assert.Equal(4, ex.Capacity);
    }

    [Fact]
    public async Task Group_send_skips_a_full_member_counts_the_drop_and_goes_on()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 2 });
        await layer.SendAsync("member.full", Msg("old", 1));
        await layer.SendAsync("member.full", Msg("old", 2));
        await layer.GroupAddAsync("room", "member.full");
        await layer.GroupAddAsync("room", "member.free");
        var dropsBefore = layer.Stats.DropsFull;
        await layer.GroupSendAsync("room", Msg("new"));
        Assert.Equal("new", (await Receive(layer, "member.free")).Get<string>("text"));
        await AwaitAssertAsync(() => Assert.Equal(dropsBefore + 1, layer.Stats.DropsFull));
        Assert.Equal(1, (await Receive(layer, "member.full")).Get<int>("n"));
        Assert.Equal(2, (await Receive(layer, "member.full")).Get<int>("n"));
        Assert.Null(await TryReceive(layer, "member.full"));
    }

    [Fact]
    public async Task An_unreceived_message_expires_after_the_expiry()
    {
        var layer = NewLayer(new ChannelLayerOptions { Expiry = TimeSpan.FromSeconds(60) });
        await layer.SendAsync("test.expiry", Msg("stale"));
        Clock.Advance(TimeSpan.FromSeconds(61));
        await layer.SendAsync("test.expiry", Msg("fresh"));
        Assert.Equal("fresh", (await Receive(layer, "test.expiry")).Get<string>("text"));
        Assert.Null(await TryReceive(layer, "test.expiry"));
        Assert.True(layer.Stats.DropsExpired >= 1);
    }

    [Fact]
    public async Task A_plain_channel_leaves_its_group_after_the_group_expiry_unless_it_joins_again()
    {
        var layer = NewLayer(new ChannelLayerOptions { GroupExpiry = TimeSpan.FromSeconds(100) });
        await layer.GroupAddAsync("room", "member.lapsing");
        await layer.GroupAddAsync("room", "member.renewing");
        Clock.Advance(TimeSpan.FromSeconds(60));
        await layer.GroupAddAsync("room", "member.renewing"); // a repeated add refreshes the membership
        Clock.Advance(TimeSpan.FromSeconds(60));
        await layer.GroupSendAsync("room", Msg("after expiry"));
        Assert.Equal("after expiry", (await Receive(layer, "member.renewing")).Get<string>("text"));
        Assert.Null(await TryReceive(layer, "member.lapsing"));
        Assert.Equal(["member.renewing"], await layer.GroupMembersAsync("room"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("has space", "position 3")]
    [InlineData("émile", "ASCII")]
    [InlineData("a!b!c", "second '!'")]
    [InlineData("!nohead", "starts with '!'")]
    public async Task A_bad_channel_name_fails_with_the_rule_it_broke(string name, string rule)
    {
        var layer = NewLayer();
        var errors = new List<InvalidChannelNameException>
        {
            await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.SendAsync(name, Msg("x")).AsTask()),
            await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.ReceiveAsync(name).AsTask()),
            await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupAddAsync("room", name).AsTask()),
            await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupDiscardAsync("room", name).AsTask()),
            Assert.Throws<InvalidChannelNameException>(() => layer.Bind(name, TestActor)),
        };
        Assert.All(errors, e => Assert.Contains(rule, e.Message));
    }

    [Fact]
    public async Task A_name_of_100_characters_is_too_long_and_99_is_fine()
    {
        var layer = NewLayer();
        await layer.SendAsync(new string('a', 99), Msg("ok"));
        var ex = await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.SendAsync(new string('a', 100), Msg("x")).AsTask());
        Assert.Contains("shorter than 100", ex.Message);
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupSendAsync(new string('g', 100), Msg("x")).AsTask());
    }

    [Fact]
    public async Task A_group_name_may_not_be_process_local()
    {
        var layer = NewLayer();
        var ex = await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupSendAsync("room!1", Msg("x")).AsTask());
        Assert.Contains("only channel names may be process-local", ex.Message);
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupAddAsync("room!1", "member.a").AsTask());
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.NewChannelAsync("bad prefix").AsTask());
    }

    [Fact]
    public async Task A_message_that_cannot_be_serialized_fails_at_the_sender()
    {
        var layer = NewLayer();
        var unserializable = ChannelMessage.Create("test.bad", new { callback = (Action)(() => { }) });
        var ex = await Assert.ThrowsAsync<ChannelMessageSerializationException>(() => layer.GroupSendAsync("room", unserializable).AsTask());
        Assert.Contains("test.bad", ex.Message);
        await Assert.ThrowsAsync<ChannelMessageSerializationException>(() => layer.SendAsync("test.channel", ChannelMessage.Create("test.number", 42)).AsTask());
        Assert.Null(await TryReceive(layer, "test.channel"));
    }

    [Fact]
    public async Task A_bound_channel_delivers_into_the_actor_mailbox_and_cannot_be_polled()
    {
        var layer = NewLayer();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, TestActor);
        var sent = Msg("direct");
        await layer.SendAsync(channel, sent);
        Assert.Same(sent, await ExpectMsgAsync<ChannelMessage>());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => layer.ReceiveAsync(channel).AsTask());
        Assert.Contains("bound to", ex.Message);
    }

    [Fact]
    public async Task A_bound_actor_at_capacity_makes_send_throw_and_group_send_skip()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 1 });
        var member = CreateTestProbe();
        var gate = Sys.ActorOf(Props.Create(() => new Blocker(member.Ref)));
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, gate);
        var release = new TaskCompletionSource();
        gate.Tell(release);
        await member.ExpectMsgAsync<string>("blocked");
        await layer.SendAsync(channel, Msg("queued"));
        await Assert.ThrowsAsync<ChannelFullException>(() => layer.SendAsync(channel, Msg("over")).AsTask());
        release.SetResult();
        Assert.Equal("queued", (await member.ExpectMsgAsync<ChannelMessage>()).Get<string>("text"));
    }

    /// <summary>Blocks on a gate, then forwards channel messages to the probe.</summary>
    private sealed class Blocker : ReceiveActor
    {
        public Blocker(IActorRef probe)
        {
            ReceiveAsync<TaskCompletionSource>(async gate => { probe.Tell("blocked"); await gate.Task; });
            Receive<ChannelMessage>(m => probe.Tell(m));
        }
    }

    [Fact]
    public async Task A_room_drops_a_member_actor_that_stops_and_goes_away_with_its_last_member()
    {
        var layer = NewLayer();
        var member = CreateTestProbe();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, member.Ref);
        await layer.GroupAddAsync("room", channel);
        Assert.Equal([channel], await layer.GroupMembersAsync("room"));
        Assert.Equal(1, LocalRoomCount(layer));

        Sys.Stop(member.Ref);
        await AwaitAssertAsync(() => Assert.Equal(0, LocalRoomCount(layer)));
        Assert.Empty(await layer.GroupMembersAsync("room"));
    }

    [Fact]
    public async Task A_room_goes_away_when_its_last_member_leaves_and_comes_back_on_the_next_join()
    {
        var layer = NewLayer();
        await layer.GroupAddAsync("room", "member.a");
        await layer.GroupAddAsync("room", "member.b");
        await layer.GroupDiscardAsync("room", "member.a");
        Assert.Equal(1, LocalRoomCount(layer));
        await layer.GroupDiscardAsync("room", "member.b");
        await AwaitAssertAsync(() => Assert.Equal(0, LocalRoomCount(layer)));

        await layer.GroupAddAsync("room", "member.c");
        await layer.GroupSendAsync("room", Msg("again"));
        Assert.Equal("again", (await Receive(layer, "member.c")).Get<string>("text"));
    }

    [Fact]
    public async Task A_group_message_reaches_every_actor_member_as_the_same_instance_so_it_is_encoded_once()
    {
        var layer = NewLayer();
        var probes = Enumerable.Range(0, 20).Select(_ => CreateTestProbe()).ToList();
        foreach (var probe in probes)
        {
            var channel = await layer.NewChannelAsync();
            layer.Bind(channel, probe.Ref);
            await layer.GroupAddAsync("room", channel);
        }

        var sent = Msg("shared");
        await layer.GroupSendAsync("room", sent);
        foreach (var probe in probes)
        {
            Assert.Same(sent, await probe.ExpectMsgAsync<ChannelMessage>());
        }
    }

    [Fact]
    public async Task Messages_from_one_sender_reach_each_member_in_send_order()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 1_000 });
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, TestActor);
        await layer.GroupAddAsync("room", channel);
        await layer.GroupAddAsync("room", "member.plain");
        for (var i = 0; i < 500; i++)
        {
            await layer.GroupSendAsync("room", Msg("m", i));
        }

        var viaActor = (await ReceiveNAsync(500).ToListAsync()).Cast<ChannelMessage>().Select(m => m.Get<int>("n"));
        Assert.Equal(Enumerable.Range(0, 500), viaActor);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(i, (await Receive(layer, "member.plain")).Get<int>("n"));
        }
    }

    [Fact]
    public async Task Concurrent_adds_sends_and_discards_lose_and_duplicate_nothing()
    {
        var layer = NewLayer(new ChannelLayerOptions { Capacity = 10_000 });
        const int members = 10, senders = 4, perSender = 250;
        var probes = new List<TestProbe>();
        for (var i = 0; i < members; i++)
        {
            var probe = CreateTestProbe();
            var channel = await layer.NewChannelAsync();
            layer.Bind(channel, probe.Ref);
            await layer.GroupAddAsync("busy", channel);
            probes.Add(probe);
        }

        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                await layer.GroupSendAsync("busy", ChannelMessage.Create("test.seq", new { sender = s, seq = i }));
            }
        }));
        var churning = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await layer.GroupAddAsync("busy", $"churn.{c}.{i}");
                await layer.GroupDiscardAsync("busy", $"churn.{c}.{i}");
            }
        }));
        await Task.WhenAll(sending.Concat(churning));

        foreach (var probe in probes)
        {
            var received = (await probe.ReceiveNAsync(senders * perSender).ToListAsync()).Cast<ChannelMessage>()
                .Select(m => (Sender: m.Get<int>("sender"), Seq: m.Get<int>("seq"))).ToList();
            foreach (var bySender in received.GroupBy(r => r.Sender))
            {
                Assert.Equal(Enumerable.Range(0, perSender), bySender.Select(r => r.Seq));
            }

            Assert.Equal(senders, received.Select(r => r.Sender).Distinct().Count());
            await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(members, (await layer.GroupMembersAsync("busy")).Count);
    }

    [Fact]
    public async Task Flush_drops_buffered_messages_and_groups()
    {
        var layer = NewLayer();
        await layer.SendAsync("test.flush", Msg("buffered"));
        await layer.GroupAddAsync("room", "member.a");
        await layer.FlushAsync();
        Assert.Null(await TryReceive(layer, "test.flush"));
        await layer.GroupSendAsync("room", Msg("after flush"));
        Assert.Null(await TryReceive(layer, "member.a"));
        Assert.Equal(0, LocalRoomCount(layer));
    }
}
