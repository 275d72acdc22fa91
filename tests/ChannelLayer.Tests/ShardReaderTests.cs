using ActorChat.ChannelLayer.Cluster;
using Akka.Actor;
using Akka.DistributedData;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// The cluster store's reader of presence sets, with a <see cref="TestProbe"/> in the replicator's place: the answers come
/// back in the order of the keys whatever order the replicator answers in, and a replicator that does not answer in time
/// is a clear timeout, which the chat page and the presence API turn into an error frame and a 503.
/// </summary>
public sealed class ShardReaderTests : ConsumerTestKit
{
    private static readonly ORSetKey<string>[] s_keys = [new("actorchat-presence:lobby/0"), new("actorchat-presence:lobby/5")];

    /// <summary>A reader whose replicator is a probe.</summary>
    private (TestProbe Replicator, IActorRef Reader) StartReader()
    {
        var replicator = CreateTestProbe();
        return (replicator, Sys.ActorOf(ActorFactory.Props(() => new ShardReader(replicator.Ref))));
    }

    [Fact]
    public async Task A_read_asks_the_replica_for_each_key_and_answers_in_the_order_of_the_keys()
    {
        var (replicator, reader) = StartReader();
        var reading = ShardReader.ReadAsync(reader, s_keys, TimeSpan.FromSeconds(10), CancellationToken.None);
        var first = replicator.ExpectMsg<Get>();
        var second = replicator.ExpectMsg<Get>();
        Assert.Equal([s_keys[0], s_keys[1]], [first.Key, second.Key]);
        Assert.All([first, second], get => Assert.IsType<ReadLocal>(get.Consistency)); // this node's replica, no other node's

        var set = ORSet<string>.Empty.Add(new Akka.Cluster.UniqueAddress(new Address("akka.tcp", "actorchat", "127.0.0.1", 2552), 1), "ada");
        replicator.Reply(new NotFound(second.Key, second.Request)); // the second key answered first
        Assert.False(reading.IsCompleted);
        replicator.Reply(new GetSuccess(first.Key, first.Request, set));

        var answers = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["ada"], Assert.IsType<GetSuccess>(answers[0]).Get(s_keys[0]).Elements);
        Assert.IsType<NotFound>(answers[1]);
        Assert.Empty(await ShardReader.ReadAsync(reader, [], TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public async Task A_replicator_that_does_not_answer_every_key_in_time_is_a_timeout_that_names_the_read()
    {
        var (replicator, reader) = StartReader();
        var reading = ShardReader.ReadAsync(reader, s_keys, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        var first = replicator.ExpectMsg<Get>();
        replicator.ExpectMsg<Get>();
        replicator.Reply(new NotFound(first.Key, first.Request)); // one of two answered

        var timeout = await Assert.ThrowsAsync<AskTimeoutException>(() => reading);
        Assert.Contains("did not answer a read of 2 presence set(s)", timeout.Message);

        var late = ShardReader.ReadAsync(reader, [s_keys[0]], TimeSpan.FromSeconds(10), CancellationToken.None); // the reader goes on
        var get = replicator.ExpectMsg<Get>();
        replicator.Reply(new NotFound(get.Key, get.Request));
        Assert.IsType<NotFound>(Assert.Single(await late.WaitAsync(TimeSpan.FromSeconds(10))));
    }
}
