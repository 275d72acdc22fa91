using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// The room's member array that snapshots share: whatever the room does after a publish (joins that fill and outgrow the
/// array, removals anywhere), every snapshot taken keeps exactly the members it had.
/// </summary>
public sealed class SharedMemberListTests
{
    private static ChannelBinding Binding(int i) => new($"specific.test!{i:D4}", ActorRefs.Nobody, 100, null, _ => { });

    private static string[] Channels(RoomMembers members) => [.. members.Bound.ToArray().Select(b => b.Channel)];

    [Fact]
    public void Snapshots_keep_their_members_through_later_joins_growth_and_removals()
    {
        var list = new SharedMemberList();
        var expected = new List<string>();
        var snapshots = new List<(RoomMembers Members, string[] Channels)>();
        var random = new Random(7);
        for (var step = 0; step < 400; step++)
        {
            if (list.Count > 0 && random.Next(3) == 0)
            {
                var index = random.Next(list.Count);
                var moved = list.RemoveAtSwap(index);
                var last = expected[^1];
                expected[index] = last;
                expected.RemoveAt(expected.Count - 1);
                Assert.Equal(index == expected.Count ? null : last, moved?.Channel); // the last one moves into the gap
            }
            else
            {
                var binding = Binding(step);
                list.Add(binding);
                expected.Add(binding.Channel);
            }

            if (random.Next(4) == 0)
            {
                var members = list.Snapshot([]);
                snapshots.Add((members, Channels(members)));
            }
        }

        Assert.Equal(expected, Enumerable.Range(0, list.Count).Select(i => list[i].Channel));
        Assert.True(snapshots.Count > 50);
        Assert.All(snapshots, s => Assert.Equal(s.Channels, Channels(s.Members))); // nothing written into a published range
        Assert.Equal(expected, Channels(list.Snapshot([])));
    }
}
