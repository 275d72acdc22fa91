using System.Text.Json;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// Holds each presence diff from another node until this node's replica has its changes, then hands it to the group's
/// members here. A member lists presence from this node's replica alone, so a diff passed on before the replica had its
/// change could reach the room just before a member joined, and that member would see the change in neither its list nor
/// its diffs. Held back, a diff that reaches the room before a member joins is already in the member's list.
/// </summary>
/// <remarks>
/// <para>While a group has diffs held, the feed reads the shards its held metas are in from this node's replicator (a
/// local read, at once and then every <see cref="RecheckInterval"/>) and passes the diffs on in the order they came, up to the last one the
/// replica agrees with. A diff whose meta joined and left before the replica saw it goes out with the leave that
/// cancels it. The feed reads rather than subscribes: a subscribed set has its digest computed on every write to it,
/// which costs a serialization of the whole set each time.</para>
/// <para>A diff the replica has not agreed with after <see cref="HoldLimit"/> goes out anyway, as it would have without
/// the feed (replication is slower than that only while nodes cannot reach each other, or are overloaded).</para>
/// </remarks>
internal sealed class PresenceFeed : ReceiveActor, IWithTimers
{
    /// <summary>The longest a diff waits for this node's replica.</summary>
    internal static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(5);

    /// <summary>How often a group with diffs held reads its set again.</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly ClusterPresenceStore _store;
    private readonly Action<string, ChannelMessage> _publish;
    private readonly Dictionary<string, List<HeldDiff>> _held = new(StringComparer.Ordinal); // group → diffs, in the order they came
    private readonly HashSet<string> _reading = new(StringComparer.Ordinal); // groups with a read on its way

    public PresenceFeed(ClusterPresenceStore store, Action<string, ChannelMessage> publish)
    {
        _store = store;
        _publish = publish;
        Receive<RemoteDiff>(Hold);
        Receive<Replica>(r => Release(r.Group, r.Metas));
        Receive<Status.Failure>(f => _reading.Remove((string)f.State!)); // the next recheck reads again
        Receive<Recheck>(_ => RecheckAll());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(Recheck.Instance, Recheck.Instance, RecheckInterval);

    private void Hold(RemoteDiff remote)
    {
        (_held.TryGetValue(remote.Group, out var list) ? list : _held[remote.Group] = []).Add(new HeldDiff(remote.Diff, Environment.TickCount64));
        Read(remote.Group);
    }

    private void Read(string group)
    {
        if (_held.TryGetValue(group, out var held) && _reading.Add(group))
        {
            var channels = held.SelectMany(h => h.Changes).Select(c => c.Meta.Channel).ToList();
            _store.ReadAroundAsync(group, channels).PipeTo(Self, success: metas => new Replica(group, metas), failure: ex => new Status.Failure(ex, group));
        }
    }

    private void RecheckAll()
    {
        var tooOld = Environment.TickCount64 - (long)HoldLimit.TotalMilliseconds;
        foreach (var (group, held) in _held.ToList())
        {
            if (held[0].Arrived < tooOld)
            {
                var late = held.FindLastIndex(h => h.Arrived < tooOld);
                Publish(group, held, late + 1);
            }

            if (held.Count > 0)
            {
                Read(group);
            }
        }
    }

    /// <summary>
    /// Passes on the group's held diffs, in order, up to the last one the replica agrees with: after it, every meta they
    /// name is in the replica exactly when the last of them to name it had it join.
    /// </summary>
    private void Release(string group, IReadOnlyList<PresenceMeta> replica)
    {
        _reading.Remove(group);
        if (!_held.TryGetValue(group, out var held))
        {
            return;
        }

        var present = replica.Select(Identity).ToHashSet();
        var expected = new Dictionary<(string Channel, DateTimeOffset), bool>();
        var agreed = 0;
        for (var i = 0; i < held.Count; i++)
        {
            foreach (var (meta, joined) in held[i].Changes)
            {
                expected[meta] = joined;
            }

            if (expected.All(e => present.Contains(e.Key) == e.Value))
            {
                agreed = i + 1;
            }
        }

        Publish(group, held, agreed);
    }

    private void Publish(string group, List<HeldDiff> held, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _publish(group, held[i].Diff);
        }

        held.RemoveRange(0, count);
        if (held.Count == 0)
        {
            _held.Remove(group);
        }
    }

    /// <summary>What tells one tracked meta from another: its channel, and when it was tracked (a channel tracked again is a new meta).</summary>
    private static (string Channel, DateTimeOffset JoinedAt) Identity(PresenceMeta meta) => (meta.Channel, meta.JoinedAt);

    /// <summary>A diff from another node, to pass on once this node's replica has its changes.</summary>
    internal sealed record RemoteDiff(string Group, ChannelMessage Diff);

    /// <summary>The metas the replica has in the shards a group's held diffs name.</summary>
    private sealed record Replica(string Group, IReadOnlyList<PresenceMeta> Metas);

    /// <summary>A diff from another node and when it came.</summary>
    private sealed class HeldDiff(ChannelMessage diff, long arrived)
    {
        private List<((string Channel, DateTimeOffset JoinedAt) Meta, bool Joined)>? _changes;

        public ChannelMessage Diff => diff;

        public long Arrived => arrived;

        /// <summary>
        /// The metas in the order they take effect (joins, then leaves), each with whether it joined; none for a diff that
        /// cannot be read, which then goes out at once.
        /// </summary>
        public List<((string Channel, DateTimeOffset JoinedAt) Meta, bool Joined)> Changes => _changes ??= Read(diff);

        private static List<((string Channel, DateTimeOffset JoinedAt) Meta, bool Joined)> Read(ChannelMessage message)
        {
            try
            {
                var read = JsonSerializer.Deserialize<PresenceDiff>(message.PayloadBytes, ChannelMessageJson.Options)!;
                return [.. read.Joins.Values.SelectMany(m => m.Metas).Select(m => (Identity(m), true)),
                    .. read.Leaves.Values.SelectMany(m => m.Metas).Select(m => (Identity(m), false))];
            }
            catch (JsonException)
            {
                return [];
            }
        }
    }

    private sealed class Recheck
    {
        public static readonly Recheck Instance = new();
    }
}
