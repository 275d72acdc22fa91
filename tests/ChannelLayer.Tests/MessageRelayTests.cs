using Akka.Actor;
using System.Collections.Concurrent;
using ActorChat.ChannelLayer.InMemory;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The broadcast fast path: relayed types skip the actor only while nothing waits for it, so order holds.</summary>
public sealed class MessageRelayTests : ConsumerTestKit
{
    private sealed class RecordingRelay(string type) : IMessageRelay
    {
        public ConcurrentQueue<ChannelMessage> Relayed { get; } = new();

        public bool Open { get; set; } = true;

        public bool Relays(string t) => t == type;

        public bool TryRelay(ChannelMessage message)
        {
            if (!Open)
            {
                return false;
            }

            Relayed.Enqueue(message);
            return true;
        }
    }

    private static ChannelMessage Msg(string type, int n) => ChannelMessage.Create(type, new { n });

    [Fact]
    public async Task A_relayed_type_skips_the_actor_unless_an_earlier_message_still_waits_for_it()
    {
        await using var layer = new InMemoryChannelLayer(Sys);
        var relay = new RecordingRelay("fast.lane");
        var channel = await layer.NewChannelAsync();
        var binding = layer.Bind(channel, TestActor, relay);
        await layer.GroupAddAsync("room", channel);

        await layer.GroupSendAsync("room", Msg("fast.lane", 1));
        await AwaitAssertAsync(() => Assert.Single(relay.Relayed));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await layer.GroupSendAsync("room", Msg("slow.lane", 2)); // the actor must handle this one
        await layer.GroupSendAsync("room", Msg("fast.lane", 3)); // so this one queues behind it, in the mailbox
        Assert.Equal(2, (await ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        Assert.Equal(3, (await ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        Assert.Single(relay.Relayed);

        binding.MessageProcessed();
        binding.MessageProcessed(); // the actor handled both
        await layer.GroupSendAsync("room", Msg("fast.lane", 4));
        await AwaitAssertAsync(() => Assert.Equal([1, 4], relay.Relayed.Select(m => m.Get<int>("n"))));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_relay_that_declines_hands_the_message_to_the_actor()
    {
        await using var layer = new InMemoryChannelLayer(Sys);
        var relay = new RecordingRelay("fast.lane") { Open = false };
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, TestActor, relay);
        await layer.SendAsync(channel, Msg("fast.lane", 5));
        Assert.Equal(5, (await ExpectMsgAsync<ChannelMessage>()).Get<int>("n"));
        Assert.Empty(relay.Relayed);
    }

    [Fact]
    public async Task A_group_send_is_in_every_members_relay_when_it_returns_in_send_order_on_the_senders_thread()
    {
        // The fast lane: no room actor between the sender and the members' writers. Four senders on their own threads
        // send to one room of three relayed members; each member has every message once, each sender's in its order,
        // and a message is there the moment GroupSendAsync returns.
        await using var layer = new InMemoryChannelLayer(Sys);
        var relays = new List<RecordingRelay>();
        for (var i = 0; i < 3; i++)
        {
            var relay = new RecordingRelay("fast.lane");
            var channel = await layer.NewChannelAsync();
            layer.Bind(channel, TestActor, relay);
            await layer.GroupAddAsync("room", channel);
            relays.Add(relay);
        }

        const int perSender = 500;
        var senders = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var n = 0; n < perSender; n++)
            {
                var message = ChannelMessage.Create("fast.lane", new { sender, n });
                await layer.GroupSendAsync("room", message);
                Assert.All(relays, relay => Assert.Contains(message, relay.Relayed)); // delivered before the send returned
            }
        }));
        await Task.WhenAll(senders);

        foreach (var relay in relays)
        {
            var received = relay.Relayed.ToList();
            Assert.Equal(4 * perSender, received.Count);
            foreach (var bySender in received.GroupBy(m => m.Get<int>("sender")))
            {
                Assert.Equal(Enumerable.Range(0, perSender), bySender.Select(m => m.Get<int>("n")));
            }
        }

        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing went through the actor
    }

    [Fact]
    public void Acknowledging_more_than_was_delivered_never_goes_below_zero()
    {
        using var layer = new InMemoryChannelLayerHolder(Sys);
        var binding = layer.Layer.Bind("x.y!1", TestActor, new RecordingRelay("a"));
        binding.MessageProcessed();
        binding.MessageProcessed();
        Assert.Equal(DeliveryResult.Delivered, binding.Deliver(Msg("a", 1))); // still relays: the count stayed at zero
        Assert.Equal(0, binding.Waiting);
    }

    private sealed class InMemoryChannelLayerHolder(ActorSystem system) : IDisposable
    {
        public InMemoryChannelLayer Layer { get; } = new(system);

        public void Dispose() => Layer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
