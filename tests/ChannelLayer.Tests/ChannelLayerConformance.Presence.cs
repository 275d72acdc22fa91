using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>The presence part of the spec: every layer lists, diffs and ends presence the same way.</summary>
public abstract partial class ChannelLayerConformance
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>A probe bound to a new channel that is a member of <paramref name="group"/>.</summary>
    private async Task<(TestProbe Probe, string Channel)> PresenceMemberAsync(IChannelLayer layer, string group)
    {
        var probe = CreateTestProbe();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, probe.Ref);
        await layer.GroupAddAsync(group, channel);
        return (probe, channel);
    }

    /// <summary>
    /// Reads the probe's diffs until <paramref name="done"/> holds for the folded state (channel → key), counting each join
    /// and leave. Any other message fails, unless <paramref name="others"/> is given to collect it.
    /// </summary>
    private static async Task<DiffFold> FoldUntilAsync(TestProbe probe, DiffFold fold, Func<DiffFold, bool> done, List<ChannelMessage>? others = null)
    {
        while (!done(fold))
        {
            var message = await probe.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10));
            if (others is not null && message.Type != PresenceDiff.MessageType)
            {
                others.Add(message);
                continue;
            }

            Assert.Equal(PresenceDiff.MessageType, message.Type);
            fold.Apply(JsonSerializer.Deserialize<PresenceDiff>(message.PayloadJson.Span, s_web)!);
        }

        return fold;
    }

    /// <summary>A member's view, folded from diffs as a client does, with how often it saw each channel join and leave.</summary>
    private sealed class DiffFold
    {
        public Dictionary<string, string> Present { get; } = new(StringComparer.Ordinal); // channel → key

        public Dictionary<string, int> Joins { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Leaves { get; } = new(StringComparer.Ordinal);

        public void Apply(PresenceDiff diff)
        {
            foreach (var (key, metas) in diff.Joins)
            {
                foreach (var meta in metas.Metas)
                {
                    Assert.Equal(key, meta.Key);
                    Present[meta.Channel] = key;
                    Joins[meta.Channel] = Joins.GetValueOrDefault(meta.Channel) + 1;
                }
            }

            foreach (var (_, metas) in diff.Leaves)
            {
                foreach (var meta in metas.Metas)
                {
                    Present.Remove(meta.Channel);
                    Leaves[meta.Channel] = Leaves.GetValueOrDefault(meta.Channel) + 1;
                }
            }
        }
    }

    [Fact]
    public async Task Presence_lists_each_key_once_with_one_meta_per_connection_and_a_key_leaves_with_its_last_connection()
    {
        var layer = NewLayer();
        var tab1 = await layer.NewChannelAsync();
        var tab2 = await layer.NewChannelAsync();
        var bob = await layer.NewChannelAsync();
        await layer.TrackAsync("room", tab1, new PresenceInfo("ada", Json("""{"device":"laptop"}""")));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await layer.TrackAsync("room", bob, new PresenceInfo("bob"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await layer.TrackAsync("room", tab2, new PresenceInfo("ada", Json("""{"device":"phone"}""")));

        var entries = await AwaitPresenceAsync(layer, "room", e => e.Sum(x => x.Metas.Count) == 3);
        Assert.Equal(["ada", "bob"], entries.Select(e => e.Key));
        var ada = entries[0].Metas;
        Assert.Equal([tab1, tab2], ada.Select(m => m.Channel));
        Assert.Equal(["laptop", "phone"], ada.Select(m => m.Meta.GetProperty("device").GetString()));
        Assert.True(ada[0].JoinedAt < ada[1].JoinedAt);
        Assert.All(entries.SelectMany(e => e.Metas), m => Assert.False(string.IsNullOrEmpty(m.Node)));
        Assert.Equal(JsonValueKind.Object, entries[1].Metas[0].Meta.ValueKind); // no meta given: {}

        await layer.UntrackAsync("room", tab1);
        entries = await AwaitPresenceAsync(layer, "room", e => e.Sum(x => x.Metas.Count) == 2);
        Assert.Equal(["bob", "ada"], entries.Select(e => e.Key)); // keys in order of their oldest connection
        Assert.Equal([tab2], entries[1].Metas.Select(m => m.Channel));

        await layer.UntrackAsync("room", tab2);
        entries = await AwaitPresenceAsync(layer, "room", e => e.Sum(x => x.Metas.Count) == 1);
        Assert.Equal(["bob"], entries.Select(e => e.Key));
        Assert.Empty(await layer.PresenceAsync("elsewhere"));
    }

    [Fact]
    public async Task Every_member_gets_each_join_and_each_leave_exactly_once()
    {
        var layer = NewLayer();
        var (watcher1, _) = await PresenceMemberAsync(layer, "room");
        var (watcher2, _) = await PresenceMemberAsync(layer, "room");
        var channels = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var channel = await layer.NewChannelAsync();
            channels.Add(channel);
            await layer.TrackAsync("room", channel, new PresenceInfo(i % 2 == 0 ? "ada" : "bob"));
        }

        foreach (var channel in channels.Take(4))
        {
            await layer.UntrackAsync("room", channel);
        }

        await layer.UntrackAsync("room", channels[0]); // untracked already: nothing more
        foreach (var watcher in new[] { watcher1, watcher2 })
        {
            var fold = await FoldUntilAsync(watcher, new DiffFold(), f => f.Joins.Count == 6 && f.Leaves.Count == 4);
            Assert.All(channels, c => Assert.Equal(1, fold.Joins[c]));
            Assert.All(channels.Take(4), c => Assert.Equal(1, fold.Leaves[c]));
            Assert.Equal(channels.Skip(4).Order(), fold.Present.Keys.Order());
            await watcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no duplicate diff afterwards
        }
    }

    [Fact]
    public async Task A_mass_join_and_leave_goes_out_in_diffs_of_at_most_500_metas_each_meta_once()
    {
        var layer = NewLayer();
        var (watcher, _) = await PresenceMemberAsync(layer, "crowd");
        var channels = new List<string>();
        for (var i = 0; i < 1_100; i++)
        {
            var channel = await layer.NewChannelAsync();
            channels.Add(channel);
            await layer.TrackAsync("crowd", channel, new PresenceInfo($"user{i}"));
        }

        foreach (var channel in channels)
        {
            await layer.UntrackAsync("crowd", channel);
        }

        var fold = new DiffFold();
        var largest = 0;
        while (fold.Leaves.Count < channels.Count)
        {
            var message = await watcher.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10));
            var diff = JsonSerializer.Deserialize<PresenceDiff>(message.PayloadJson.Span, s_web)!;
            largest = Math.Max(largest, diff.Joins.Values.Concat(diff.Leaves.Values).Sum(m => m.Metas.Count));
            fold.Apply(diff);
        }

        Assert.InRange(largest, 1, 500); // one diff this size still fits in one message to another node
        Assert.All(channels, c => Assert.Equal(1, fold.Joins[c]));
        Assert.All(channels, c => Assert.Equal(1, fold.Leaves[c]));
        Assert.Empty(fold.Present);
    }

    [Fact]
    public async Task Presence_ends_when_the_bound_actor_stops_and_when_the_channel_leaves_the_group()
    {
        var layer = NewLayer();
        var (watcher, _) = await PresenceMemberAsync(layer, "room");
        var crashing = CreateTestProbe();
        var crashed = await layer.NewChannelAsync();
        layer.Bind(crashed, crashing.Ref);
        await layer.GroupAddAsync("room", crashed);
        await layer.TrackAsync("room", crashed, new PresenceInfo("ada"));
        var (_, leaving) = await PresenceMemberAsync(layer, "room");
        await layer.TrackAsync("room", leaving, new PresenceInfo("bob"));
        await AwaitPresenceAsync(layer, "room", e => e.Count == 2);

        Sys.Stop(crashing.Ref); // no untrack, no discard: death watch ends it
        await layer.GroupDiscardAsync("room", leaving);
        var entries = await AwaitPresenceAsync(layer, "room", e => e.Count == 0);
        Assert.Empty(entries);
        var fold = await FoldUntilAsync(watcher, new DiffFold(), f => f.Leaves.Count == 2);
        Assert.Empty(fold.Present);
        Assert.Equal(1, fold.Leaves[crashed]);
        Assert.Equal(1, fold.Leaves[leaving]);
    }

    [Fact]
    public async Task The_list_and_the_folded_diffs_agree_after_random_joins_and_leaves()
    {
        var layer = NewLayer();
        var (watcher, _) = await PresenceMemberAsync(layer, "room");
        var random = new Random(17);
        var tracked = new List<string>();
        var joins = 0;
        var leaves = 0;
        for (var i = 0; i < 40; i++)
        {
            if (tracked.Count > 0 && random.Next(3) == 0)
            {
                var channel = tracked[random.Next(tracked.Count)];
                tracked.Remove(channel);
                await layer.UntrackAsync("room", channel);
                leaves++;
            }
            else
            {
                var channel = await layer.NewChannelAsync();
                tracked.Add(channel);
                await layer.TrackAsync("room", channel, new PresenceInfo("user" + random.Next(5)));
                joins++;
            }
        }

        var fold = await FoldUntilAsync(watcher, new DiffFold(), f => f.Joins.Values.Sum() == joins && f.Leaves.Values.Sum() == leaves);
        var list = await AwaitPresenceAsync(layer, "room", e => e.Sum(x => x.Metas.Count) == tracked.Count);
        Assert.Equal(tracked.Order(), fold.Present.Keys.Order());
        Assert.Equal(fold.Present.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)),
            list.SelectMany(e => e.Metas.Select(m => (m.Channel, e.Key))).OrderBy(p => p.Channel));
    }

    [Fact]
    public async Task Joining_with_presence_adds_the_member_and_tracks_it_in_one_call_and_a_bad_presence_joins_nothing()
    {
        var layer = NewLayer(new ChannelLayerOptions { PresenceMetaLimit = 64 });
        var (watcher, _) = await PresenceMemberAsync(layer, "room");
        var ada = CreateTestProbe();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, ada.Ref);

        await Assert.ThrowsAsync<InvalidPresenceException>(() => layer.GroupAddAsync("room", channel, new PresenceInfo(" ada")).AsTask());
        await Assert.ThrowsAsync<InvalidPresenceException>(
            () => layer.GroupAddAsync("room", channel, new PresenceInfo("ada", Json($$"""{"bio":"{{new string('x', 80)}}"}"""))).AsTask());
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.GroupAddAsync("bad group!", channel, new PresenceInfo("ada")).AsTask());
        Assert.DoesNotContain(channel, await layer.GroupMembersAsync("room")); // a refused presence joined nothing

        await layer.GroupAddAsync("room", channel, new PresenceInfo("ada", Json("""{"device":"laptop"}""")));
        Assert.Contains(channel, await layer.GroupMembersAsync("room"));
        var entry = Assert.Single(await AwaitPresenceAsync(layer, "room", e => e.Count == 1));
        Assert.Equal("laptop", Assert.Single(entry.Metas).Meta.GetProperty("device").GetString());
        await layer.GroupSendAsync("room", ChannelMessage.Create("chat.message", new { text = "hi" }));
        var messages = new[] { await ada.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10)), await ada.ExpectMsgAsync<ChannelMessage>(TimeSpan.FromSeconds(10)) };
        Assert.Equal(["chat.message", PresenceDiff.MessageType], messages.Select(m => m.Type).Order()); // the member gets both, once each

        Sys.Stop(ada.Ref); // the presence ends with the actor, as after a join and a separate track
        await AwaitPresenceAsync(layer, "room", e => e.Count == 0);
        var others = new List<ChannelMessage>();
        var fold = await FoldUntilAsync(watcher, new DiffFold(), f => f.Leaves.Count == 1, others);
        Assert.Equal(["chat.message"], others.Select(m => m.Type));
        Assert.Equal(1, fold.Joins[channel]);
        Assert.Equal(1, fold.Leaves[channel]);
    }

    [Fact]
    public async Task A_stop_ends_a_channels_presence_in_every_group_once_whether_a_room_or_the_tracker_watched_it()
    {
        var layer = NewLayer();
        var (watcherA, _) = await PresenceMemberAsync(layer, "a");
        var (watcherC, _) = await PresenceMemberAsync(layer, "c");
        var ada = CreateTestProbe();
        var channel = await layer.NewChannelAsync();
        layer.Bind(channel, ada.Ref);
        await layer.GroupAddAsync("a", channel, new PresenceInfo("ada")); // rooms a and b watch it for presence
        await layer.GroupAddAsync("b", channel, new PresenceInfo("ada"));
        await layer.TrackAsync("c", channel, new PresenceInfo("ada")); // tracked without a room: the tracker watches
        await layer.GroupDiscardAsync("b", channel); // left b: its room no longer speaks for it
        await AwaitPresenceAsync(layer, "b", e => e.Count == 0);

        Sys.Stop(ada.Ref);
        await AwaitPresenceAsync(layer, "a", e => e.Count == 0);
        await AwaitPresenceAsync(layer, "c", e => e.Count == 0);
        foreach (var watcher in new[] { watcherA, watcherC })
        {
            var fold = await FoldUntilAsync(watcher, new DiffFold(), f => f.Leaves.ContainsKey(channel));
            Assert.Equal(1, fold.Joins[channel]);
            Assert.Equal(1, fold.Leaves[channel]);
            Assert.DoesNotContain(channel, fold.Present.Keys);
        }

        await watcherA.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no second leave from the other watch
    }

    [Fact]
    public async Task Discarding_a_channel_that_is_tracked_but_not_a_member_ends_its_presence()
    {
        var layer = NewLayer();
        var joined = await layer.NewChannelAsync();
        var trackedOnly = await layer.NewChannelAsync();
        await layer.GroupAddAsync("room", joined, new PresenceInfo("ada"));
        await layer.TrackAsync("room", trackedOnly, new PresenceInfo("bob")); // tracked, never added to the group
        await layer.TrackAsync("other", trackedOnly, new PresenceInfo("bob")); // a group with no room on this node
        await AwaitPresenceAsync(layer, "room", e => e.Count == 2);

        await layer.GroupDiscardAsync("other", trackedOnly);
        await layer.GroupDiscardAsync("room", trackedOnly);
        await layer.GroupDiscardAsync("room", joined);
        await AwaitPresenceAsync(layer, "room", e => e.Count == 0);
        await AwaitPresenceAsync(layer, "other", e => e.Count == 0);
        Assert.Empty(await layer.GroupMembersAsync("room"));
    }

    [Theory]
    [InlineData("", "1 to 100 characters")]
    [InlineData(" ada", "no leading or trailing space")]
    [InlineData("a\nb", "no control characters")]
    public async Task A_bad_presence_key_fails_at_the_call_with_its_rule(string key, string rule)
    {
        var layer = NewLayer();
        var channel = await layer.NewChannelAsync();
        var ex = await Assert.ThrowsAsync<InvalidPresenceException>(() => layer.TrackAsync("room", channel, new PresenceInfo(key)).AsTask());
        Assert.Contains(rule, ex.Message);
        await layer.TrackAsync("room", channel, new PresenceInfo("ada")); // the layer goes on
        Assert.Equal(["ada"], (await AwaitPresenceAsync(layer, "room", e => e.Count == 1)).Select(e => e.Key));
    }

    [Fact]
    public async Task An_oversize_or_non_object_meta_and_an_invalid_group_fail_at_the_call()
    {
        var layer = NewLayer(new ChannelLayerOptions { PresenceMetaLimit = 64 });
        var channel = await layer.NewChannelAsync();
        var big = Json($$"""{"bio":"{{new string('x', 80)}}"}""");
        var ex = await Assert.ThrowsAsync<InvalidPresenceException>(() => layer.TrackAsync("room", channel, new PresenceInfo("ada", big)).AsTask());
        Assert.Contains("the limit is 64", ex.Message);
        Assert.Contains("PresenceMetaLimit", ex.Message);
        ex = await Assert.ThrowsAsync<InvalidPresenceException>(() => layer.TrackAsync("room", channel, new PresenceInfo("ada", Json("[1,2]"))).AsTask());
        Assert.Contains("must be a JSON object", ex.Message);
        await Assert.ThrowsAsync<InvalidPresenceException>(() => layer.TrackAsync("room", channel, new PresenceInfo(new string('k', 101))).AsTask());
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.TrackAsync("bad group!", channel, new PresenceInfo("ada")).AsTask());
        await Assert.ThrowsAsync<InvalidChannelNameException>(() => layer.PresenceAsync("bad group!").AsTask());
        Assert.Empty(await layer.PresenceAsync("room"));
        await layer.TrackAsync("room", channel, new PresenceInfo("ada", Json("""{"ok":true}""")));
        Assert.Single(await AwaitPresenceAsync(layer, "room", e => e.Count == 1));
    }

    /// <summary>The list once <paramref name="done"/> holds for it; fails when it does not within 10 seconds.</summary>
    private async Task<IReadOnlyList<PresenceEntry>> AwaitPresenceAsync(IChannelLayer layer, string group, Func<IReadOnlyList<PresenceEntry>, bool> done)
    {
        IReadOnlyList<PresenceEntry> entries = [];
        await AwaitAssertAsync(async () =>
        {
            entries = await layer.PresenceAsync(group);
            Assert.True(done(entries), $"presence of '{group}' is {string.Join(", ", entries.Select(e => $"{e.Key}×{e.Metas.Count}"))}");
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return entries;
    }
}
