using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// One room actor, with a <see cref="TestProbe"/> as its parent and as the asker. A room publishes the joins and leaves
/// that wait in its mailbox together as one snapshot, and answers each only once that snapshot is out: whatever the
/// batching, an answered join is in the members every sender reads, an answered leave is not, and the room reports
/// itself empty only after it has answered.
/// </summary>
public sealed class RoomActorTests : ConsumerTestKit
{
    private const int Members = 40;

    private (TestProbe Parent, IActorRef Room, RoomMembership Membership) StartRoom()
    {
        var options = new ChannelLayerOptions();
        var context = new RoomContext(options, Layer.Stats, TimeProvider.System,
            new InMemory.ChannelBuffers(options, new CapacityPolicy(options), Layer.Stats, TimeProvider.System));
        var membership = new RoomMembership(context);
        var parent = CreateTestProbe();
        return (parent, parent.ChildActorOf(ActorFactory.Props(() => new RoomActor("lobby", context, membership))), membership);
    }

    private static ChannelBinding Binding(string channel, IActorRef actor) => new(channel, actor, 100, null, _ => { });

    /// <summary>A join of <paramref name="channel"/>, bound to <paramref name="actor"/>, to the room's group.</summary>
    private static JoinGroup Join(string channel, IActorRef actor, HandOn? then = null) => new("lobby", channel, Binding(channel, actor), then);

    private static string[] Channels(RoomMembership membership) => [.. membership.Members.Bound.Select(b => b.Channel)];

    [Fact]
    public async Task Joins_and_leaves_told_back_to_back_are_each_answered_only_once_the_snapshot_every_sender_reads_has_them()
    {
        var (parent, room, membership) = StartRoom();
        var asker = CreateTestProbe();
        var member = CreateTestProbe();
        var channels = Enumerable.Range(0, Members).Select(i => $"specific.test!{i:D4}").ToArray();
        foreach (var channel in channels)
        {
            room.Tell(Join(channel, member.Ref), asker.Ref);
        }

        for (var i = 0; i < Members; i++)
        {
            await asker.ExpectMsgAsync<Joined>();
            Assert.Superset(channels[..(i + 1)].ToHashSet(), Channels(membership).ToHashSet()); // answers come in order, each after its join is out
        }

        Assert.Equal(channels.Order(), Channels(membership).Order());
        foreach (var channel in channels)
        {
            room.Tell(new LeaveGroup("lobby", channel), asker.Ref);
        }

        for (var i = 0; i < Members; i++)
        {
            await asker.ExpectMsgAsync<Left>();
            Assert.Empty(Channels(membership).Intersect(channels[..(i + 1)]));
        }

        var empty = await parent.ExpectMsgAsync<RoomEmpty>(); // only after every leave was answered
        Assert.Equal(Members, empty.Joins);
        await asker.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_join_handed_on_reaches_its_target_on_the_askers_behalf_once_the_member_is_in()
    {
        var (_, room, membership) = StartRoom();
        var asker = CreateTestProbe();
        var target = CreateTestProbe();
        var member = CreateTestProbe();
        room.Tell(Join("specific.test!0001", member.Ref, new HandOn(target.Ref, "track it")), asker.Ref);

        Assert.Equal("track it", await target.ExpectMsgAsync<string>());
        Assert.Equal(asker.Ref, target.LastSender);
        Assert.Equal(["specific.test!0001"], Channels(membership));
        await asker.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the target answers, not the room
    }

    [Fact]
    public async Task A_join_that_asks_to_hear_of_a_stop_hears_of_it_after_its_hand_on_and_a_leave_silences_it()
    {
        var (_, room, _) = StartRoom();
        var asker = CreateTestProbe();
        var target = CreateTestProbe();
        var stops = CreateTestProbe();
        var leaves = CreateTestProbe();
        Sys.Stop(stops.Ref); // stopped before its join reaches the room: its stop is told after its hand-on (the room keeps that order whichever it sees first)
        room.Tell(Join("specific.test!stops", stops.Ref, new HandOn(target.Ref, "track stops", "stopped stops")), asker.Ref);
        room.Tell(Join("specific.test!leaves", leaves.Ref, new HandOn(target.Ref, "track leaves", "stopped leaves")), asker.Ref);

        var told = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            told.Add(await target.ExpectMsgAsync<string>());
        }

        Assert.True(told.IndexOf("track stops") < told.IndexOf("stopped stops"), string.Join(", ", told));
        Assert.Contains("track leaves", told);
        room.Tell(new LeaveGroup("lobby", "specific.test!leaves"), asker.Ref);
        await asker.ExpectMsgAsync<Left>();
        Sys.Stop(leaves.Ref);
        await target.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // it left first: nobody hears of its stop
    }

    [Fact]
    public async Task An_actor_with_two_channels_stays_watched_after_one_leaves_and_its_stop_removes_the_other()
    {
        var (parent, room, membership) = StartRoom();
        var asker = CreateTestProbe();
        var both = CreateTestProbe();
        var other = CreateTestProbe();
        room.Tell(Join("specific.test!one", both.Ref), asker.Ref);
        room.Tell(Join("specific.test!two", both.Ref), asker.Ref);
        room.Tell(Join("specific.test!other", other.Ref), asker.Ref);
        room.Tell(new LeaveGroup("lobby", "specific.test!one"), asker.Ref);
        await asker.ExpectMsgAsync<Joined>();
        await asker.ExpectMsgAsync<Joined>();
        await asker.ExpectMsgAsync<Joined>();
        await asker.ExpectMsgAsync<Left>();
        Assert.Equal(["specific.test!other", "specific.test!two"], Channels(membership).Order());

        Sys.Stop(both.Ref); // still watched for its second channel
        await AwaitAssertAsync(() => Assert.Equal(["specific.test!other"], Channels(membership)));
        Sys.Stop(other.Ref);
        Assert.Equal(3, (await parent.ExpectMsgAsync<RoomEmpty>()).Joins);
    }

    [Fact]
    public async Task A_member_whose_actor_stops_leaves_the_snapshot_and_an_emptied_room_reports_it()
    {
        var (parent, room, membership) = StartRoom();
        var asker = CreateTestProbe();
        var stays = CreateTestProbe();
        var stops = CreateTestProbe();
        room.Tell(Join("specific.test!stays", stays.Ref), asker.Ref);
        room.Tell(Join("specific.test!stops", stops.Ref), asker.Ref);
        await asker.ExpectMsgAsync<Joined>();
        await asker.ExpectMsgAsync<Joined>();

        Sys.Stop(stops.Ref);
        await AwaitAssertAsync(() => Assert.Equal(["specific.test!stays"], Channels(membership)));
        await parent.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // one member is left

        Sys.Stop(stays.Ref);
        Assert.Equal(2, (await parent.ExpectMsgAsync<RoomEmpty>()).Joins);
        Assert.Empty(Channels(membership));
    }
}
