using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.DistributedData;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// Holds each presence diff from another node until this node's replica has its changes, then hands it to the group's
/// members here. A member lists presence from this node's replica alone, so a diff passed on before the replica had its
/// change could reach the room just before a member joined, and that member would see the change in neither its list nor
/// its diffs. Held back, a diff that reaches the room before a member joins is already in the member's list.
/// </summary>
/// <remarks>
/// <para>The feed follows the set of every group with a room on this node (subscribed from before the room's first
/// member is in, <see cref="Rooms.IGroupSubscriptions"/>). Diffs for a group are passed on in the order they came, as soon
/// as the replica agrees with all of them up to that one; a diff whose meta joined and left before the replica saw it
/// goes out with the leave that cancels it. Diffs for a group with no room here are kept for <see cref="HoldLimit"/>, for
/// a room that starts meanwhile.</para>
/// <para>A diff the replica has not agreed with after <see cref="HoldLimit"/> goes out anyway, as it would have before
/// (replication is slower than that only while nodes cannot reach each other).</para>
/// </remarks>
internal sealed class PresenceFeed : ReceiveActor, IWithTimers
{
    /// <summary>How long a diff waits for the replica, and how long a diff for a group with no room here is kept.</summary>
    internal static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(5);

    private readonly IActorRef _replicator;
    private readonly Func<string, PresenceMeta> _decode;
    private readonly Action<string, ChannelMessage> _publish;
    private readonly Dictionary<string, FollowedGroup> _followed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HeldDiff>> _roomless = new(StringComparer.Ordinal);

    public PresenceFeed(IActorRef replicator, Func<string, PresenceMeta> decode, Action<string, ChannelMessage> publish)
    {
        _replicator = replicator;
        _decode = decode;
        _publish = publish;
        Receive<Follow>(StartFollowing);
        Receive<Unfollow>(StopFollowing);
        Receive<GetSuccess>(s => Baseline((string)s.Request, s.Get(ClusterPresenceStore.Key((string)s.Request)).Elements));
        Receive<NotFound>(n => Baseline((string)n.Request, []));
        Receive<Changed>(changed =>
        {
            if (ClusterPresenceStore.GroupOf(changed.Key) is { } group && _followed.TryGetValue(group, out var followed) && followed.Present is not null)
            {
                followed.Present = Identities(changed.Get(ClusterPresenceStore.Key(group)).Elements);
                Release(group, followed, force: false);
            }
        });
        Receive<RemoteDiff>(Hold);
        Receive<Sweep>(_ => SweepOld());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, TimeSpan.FromSeconds(1));

    private void StartFollowing(Follow follow)
    {
        var key = ClusterPresenceStore.Key(follow.Group);
        _roomless.Remove(follow.Group, out var earlier);
        _followed[follow.Group] = new FollowedGroup(Sender, earlier ?? []);

        // The replicator answers the read after any change it notified before it: those find no baseline and are
        // ignored, and every later notification is a change since the baseline.
        _replicator.Tell(Dsl.Subscribe(key, Self));
        _replicator.Tell(Dsl.Get(key, ReadLocal.Instance, follow.Group));
    }

    private void StopFollowing(Unfollow unfollow)
    {
        if (_followed.Remove(unfollow.Group, out var followed))
        {
            followed.Waiting?.Tell(Done.Instance);
        }

        _replicator.Tell(Dsl.Unsubscribe(ClusterPresenceStore.Key(unfollow.Group), Self));
    }

    private void Baseline(string group, IEnumerable<string> elements)
    {
        if (_followed.TryGetValue(group, out var followed) && followed.Present is null)
        {
            followed.Present = Identities(elements);
            followed.Waiting?.Tell(Done.Instance);
            followed.Waiting = null;
            Release(group, followed, force: false);
        }
    }

    private void Hold(RemoteDiff remote)
    {
        PresenceDiff diff;
        try
        {
            diff = JsonSerializer.Deserialize<PresenceDiff>(remote.Diff.PayloadBytes, ChannelMessageJson.Options)!;
        }
        catch (JsonException)
        {
            _publish(remote.Group, remote.Diff); // not a diff this node can read: pass it on as it came
            return;
        }

        var held = new HeldDiff(remote.Diff, Changes(diff), Environment.TickCount64);
        if (_followed.TryGetValue(remote.Group, out var followed))
        {
            followed.Held.Add(held);
            Release(remote.Group, followed, force: false);
        }
        else
        {
            (_roomless.TryGetValue(remote.Group, out var list) ? list : _roomless[remote.Group] = []).Add(held);
        }
    }

    /// <summary>
    /// Passes on the held diffs, in order, up to the last one the replica agrees with: after it, every meta they name is
    /// present in the replica exactly when the last of them to name it had it join. With <paramref name="force"/>, the
    /// diffs that waited too long go out too.
    /// </summary>
    private void Release(string group, FollowedGroup followed, bool force)
    {
        if (followed.Present is not { } present)
        {
            return;
        }

        var upTo = -1;
        var expected = new Dictionary<(string, DateTimeOffset), bool>();
        var tooOld = Environment.TickCount64 - (long)HoldLimit.TotalMilliseconds;
        for (var i = 0; i < followed.Held.Count; i++)
        {
            foreach (var (meta, joined) in followed.Held[i].Changes)
            {
                expected[meta] = joined;
            }

            if (expected.All(e => present.Contains(e.Key) == e.Value) || (force && followed.Held[i].Arrived < tooOld))
            {
                upTo = i;
            }
        }

        for (var i = 0; i <= upTo; i++)
        {
            _publish(group, followed.Held[i].Diff);
        }

        followed.Held.RemoveRange(0, upTo + 1);
    }

    private void SweepOld()
    {
        foreach (var (group, followed) in _followed)
        {
            Release(group, followed, force: true);
        }

        var tooOld = Environment.TickCount64 - (long)HoldLimit.TotalMilliseconds;
        foreach (var group in _roomless.Keys.ToList())
        {
            var list = _roomless[group];
            list.RemoveAll(h => h.Arrived < tooOld);
            if (list.Count == 0)
            {
                _roomless.Remove(group);
            }
        }
    }

    private HashSet<(string, DateTimeOffset)> Identities(IEnumerable<string> elements) =>
        [.. elements.Select(_decode).Select(Identity)];

    /// <summary>A diff's metas in the order they take effect (joins, then leaves), each with whether it joined.</summary>
    private static List<((string, DateTimeOffset) Meta, bool Joined)> Changes(PresenceDiff diff) =>
        [.. diff.Joins.Values.SelectMany(m => m.Metas).Select(m => (Identity(m), true)),
            .. diff.Leaves.Values.SelectMany(m => m.Metas).Select(m => (Identity(m), false))];

    /// <summary>What tells one tracked meta from another: its channel, and when it was tracked (a channel tracked again is a new meta).</summary>
    private static (string, DateTimeOffset) Identity(PresenceMeta meta) => (meta.Channel, meta.JoinedAt);

    /// <summary>Follows <paramref name="Group"/> from now on; answered with <see cref="Done"/> once the baseline is read.</summary>
    internal sealed record Follow(string Group);

    /// <summary>Stops following <paramref name="Group"/>.</summary>
    internal sealed record Unfollow(string Group);

    /// <summary>A diff from another node, to pass on once this node's replica has its changes.</summary>
    internal sealed record RemoteDiff(string Group, ChannelMessage Diff);

    private sealed record HeldDiff(ChannelMessage Diff, List<((string, DateTimeOffset) Meta, bool Joined)> Changes, long Arrived);

    private sealed class FollowedGroup(IActorRef waiting, List<HeldDiff> held)
    {
        /// <summary>Who waits for the baseline; null once it is read.</summary>
        public IActorRef? Waiting { get; set; } = waiting;

        /// <summary>The identities of the metas in this node's replica; null until the baseline is read.</summary>
        public HashSet<(string, DateTimeOffset)>? Present { get; set; }

        /// <summary>Diffs from other nodes not passed on yet, in the order they came.</summary>
        public List<HeldDiff> Held { get; } = held;
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
