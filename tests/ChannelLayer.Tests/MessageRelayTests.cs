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
