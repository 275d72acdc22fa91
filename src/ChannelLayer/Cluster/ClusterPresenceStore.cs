using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// Presence across the cluster in Akka.DistributedData: a group's metas spread over <see cref="Shards"/> <see cref="ORSet{T}"/>s
/// by their channel, replicated to every node. Each element is one meta, as JSON with the unique address of the node that
/// tracked it.
/// </summary>
/// <remarks>
/// <para>Writes are <see cref="WriteLocal"/>: a join or leave is handed to this node's replicator, which applies it before any
/// later read here and spreads it (deltas every 200 ms, full state by gossip every 2 s). The diff is a group send, so the
/// tracking node's members learn of the change at once; another node holds a diff back until its own replica has the
/// change (<see cref="PresenceFeed"/>). So a list reads this node's replica only: a member that joins has in its list
/// every change announced here before it joined, and gets every later one as a diff. Another node lists a change once
/// replication reaches it (well under a second when the nodes keep up, measured in BENCHMARKS.md).</para>
/// <para>Why several sets per group: DistributedData merges, serializes and gossips a set whole. One set of a 5,000-member
/// room cost every node a merge of all 5,000 elements for each delta from another node, and a full copy (serialized and
/// gzipped) whenever two replicas differed at a gossip round, which in a busy room is every round; the replicators fell
/// seconds behind. A shard holds a sixteenth of the room, and only shards that changed are merged and copied.</para>
/// <para>A list leaves out the metas of nodes that are no longer members. When a node is removed (downed by the split
/// brain resolver, or left), the oldest node removes its metas from every set and announces them as leaves. That
/// removal is needed: DistributedData's pruning would otherwise re-add the removed node's elements under a survivor.</para>
/// </remarks>
internal sealed class ClusterPresenceStore : IPresenceStore
{
    /// <summary>How many sets hold one group's metas.</summary>
    internal const int Shards = 16;

    private const string KeyPrefix = "actorchat-presence:";
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<(string Group, string Channel), string> _ownElements = [];
    private readonly ConcurrentDictionary<string, DecodedShard> _decoded = new(StringComparer.Ordinal); // key id → the shard as last read
    private readonly IActorRef _feed;
    private Action<string, IReadOnlyList<PresenceMeta>>? _departed;

    /// <param name="system">Hosts the replicator's clients.</param>
    /// <param name="name">A prefix for this store's actor names, unique in <paramref name="system"/>.</param>
    /// <param name="publishLocal">Hands a diff to this node's members of a group, and to no other node's.</param>
    public ClusterPresenceStore(ActorSystem system, string name, Action<string, ChannelMessage> publishLocal)
    {
        _cluster = Akka.Cluster.Cluster.Get(system);
        _replicator = DistributedData.Get(system).Replicator;
        _timeout = AskTimeouts.For(system);
        system.ActorOf(ActorFactory.Props(() => new RemovedNodeCleaner(this)), name + "-cleaner");
        _feed = system.ActorOf(ActorFactory.Props(() => new PresenceFeed(this, publishLocal)), name + "-feed");
    }

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { set => _departed = value; }

    /// <summary>
    /// Hands another node's diff to this node's members of <paramref name="group"/> once this node's replica has its
    /// changes, so no member that joins in between can miss a change in both its list and its diffs.
    /// </summary>
    public void PublishWhenReplicated(string group, ChannelMessage diff) => _feed.Tell(new PresenceFeed.RemoteDiff(group, diff));

    public async Task AddAsync(string group, PresenceMeta meta)
    {
        var element = JsonSerializer.Serialize(new Element(meta, _cluster.SelfUniqueAddress.Address.ToString(), _cluster.SelfUniqueAddress.Uid), ChannelMessageJson.Options);
        var self = _cluster.SelfUniqueAddress;
        await UpdateAsync(Key(group, ShardOf(meta.Channel)), set => set.Add(self, element)).ConfigureAwait(false);
        _ownElements[(group, meta.Channel)] = element; // the tracker calls one operation at a time
    }

    public async Task RemoveAsync(string group, PresenceMeta meta)
    {
        if (_ownElements.Remove((group, meta.Channel), out var element))
        {
            var self = _cluster.SelfUniqueAddress;
            await UpdateAsync(Key(group, ShardOf(meta.Channel)), set => set.Remove(self, element)).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken)
    {
        var live = LiveNodes();
        // This node's replica alone (a read of every replica cost a copy of the whole set from each node per joiner): the
        // feed holds other nodes' diffs until the replica has their changes, so a member misses none between list and diffs.
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards).Select(shard => ShardAsync(Key(group, shard), cancellationToken))).ConfigureAwait(false);
        return [.. shards
            .SelectMany(elements => elements ?? [])
            .Where(e => live.Contains((e.Stored.Address, e.Stored.Uid)))
            .Select(e => e.Stored.Meta)];
    }

    /// <summary>
    /// The metas of <paramref name="group"/> in the given shards of this node's replica, however they are tracked (the feed
    /// checks a diff against the shards its metas are in).
    /// </summary>
    internal async Task<IReadOnlyList<PresenceMeta>> ReadShardsAsync(string group, IEnumerable<int> shards)
    {
        var read = await Task.WhenAll(shards.Select(shard => ShardAsync(Key(group, shard), CancellationToken.None))).ConfigureAwait(false);
        return [.. read.SelectMany(elements => elements ?? []).Select(e => e.Stored.Meta)];
    }

    /// <summary>The unique addresses of the members whose metas a list shows.</summary>
    private HashSet<(string Address, int Uid)> LiveNodes() =>
        _cluster.State.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => (m.Address.ToString(), m.UniqueAddress.Uid))
            .ToHashSet();

    /// <summary>The shard of a group that holds <paramref name="channel"/>'s metas.</summary>
    internal static int ShardOf(string channel)
    {
        // FNV-1a over the name's chars: string.GetHashCode is seeded per process, and every node must pick the same shard.
        var hash = 2166136261u;
        foreach (var c in channel)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }

    /// <summary>The set that holds the metas of <paramref name="group"/> whose channels are in <paramref name="shard"/>.</summary>
    internal static ORSetKey<string> Key(string group, int shard) => new($"{KeyPrefix}{group}/{shard}");

    /// <summary>The group a set's key id belongs to.</summary>
    private static string GroupOf(string keyId) => keyId[KeyPrefix.Length..keyId.LastIndexOf('/')];

    /// <summary>
    /// Hands the change to the replicator without waiting for its answer: a local write cannot fail for a set, and the
    /// replicator's mailbox keeps it ahead of any later read from this node. Waiting made every join wait its turn.
    /// </summary>
    private Task UpdateAsync(ORSetKey<string> key, Func<ORSet<string>, ORSet<string>> modify)
    {
        _replicator.Tell(Dsl.Update(key, ORSet<string>.Empty, WriteLocal.Instance, modify), ActorRefs.Nobody);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A shard's elements as stored (removal needs the exact string) and decoded, from this node's replica; null when the
    /// read failed. A shard that has not changed since the last read is not decoded again: the replica hands out the same
    /// immutable set until a write or merge replaces it, and in a busy room most shards are unchanged between two joins.
    /// </summary>
    private async Task<IReadOnlyList<(string Raw, Element Stored)>?> ShardAsync(ORSetKey<string> key, CancellationToken cancellationToken)
    {
        var answer = await _replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), _timeout, cancellationToken).ConfigureAwait(false);
        if (answer is NotFound)
        {
            _decoded.TryRemove(key.Id, out _);
            return [];
        }

        if (answer is not GetSuccess success)
        {
            return null;
        }

        var set = success.Get(key);
        var before = _decoded.GetValueOrDefault(key.Id);
        if (before is not null && ReferenceEquals(before.Set, set))
        {
            return before.Elements;
        }

        // The set enumerated as it is (its Elements property builds a hash set of every element first), each element
        // decoded unless the shard's previous read had it.
        var known = before?.Elements.ToDictionary(e => e.Raw, e => e.Stored, StringComparer.Ordinal);
        List<(string Raw, Element Stored)> elements = [.. set.Select(raw => (raw, known?.GetValueOrDefault(raw) ?? JsonSerializer.Deserialize<Element>(raw, ChannelMessageJson.Options)!))];
        _decoded[key.Id] = new DecodedShard(set, elements);
        return elements;
    }

    /// <summary>
    /// Run on the oldest node when <paramref name="removed"/> has left the cluster: drops its metas from every group's set
    /// and announces them. Only the oldest does it, so each leave is announced once.
    /// </summary>
    private async Task RemoveNodeAsync(UniqueAddress removed)
    {
        var ids = await _replicator.Ask<GetKeysIdsResult>(Dsl.GetKeyIds, _timeout).ConfigureAwait(false);
        var address = removed.Address.ToString();
        var self = _cluster.SelfUniqueAddress;
        foreach (var id in ids.Keys.Where(k => k.StartsWith(KeyPrefix, StringComparison.Ordinal)))
        {
            var key = new ORSetKey<string>(id);
            var gone = ((await ShardAsync(key, CancellationToken.None).ConfigureAwait(false)) ?? [])
                .Where(e => e.Stored.Address == address && e.Stored.Uid == removed.Uid).ToList();
            if (gone.Count == 0)
            {
                continue;
            }

            await UpdateAsync(key, set => gone.Aggregate(set, (s, element) => s.Remove(self, element.Raw))).ConfigureAwait(false);
            _departed?.Invoke(GroupOf(id), [.. gone.Select(e => e.Stored.Meta)]);
        }
    }

    /// <summary>A stored meta: the meta and the unique address of the node that tracked it.</summary>
    private sealed record Element(PresenceMeta Meta, string Address, int Uid);

    /// <summary>A shard as read from the replica, and its elements decoded.</summary>
    private sealed record DecodedShard(ORSet<string> Set, IReadOnlyList<(string Raw, Element Stored)> Elements);

    /// <summary>Watches for removed members, and has the oldest remaining node clean up after them.</summary>
    private sealed class RemovedNodeCleaner : ReceiveActor
    {
        public RemovedNodeCleaner(ClusterPresenceStore store)
        {
            ReceiveAsync<ClusterEvent.MemberRemoved>(async removed =>
            {
                var oldest = store._cluster.State.Members
                    .Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(removed.Member.UniqueAddress))
                    .OrderBy(m => m, Member.AgeOrdering)
                    .FirstOrDefault();
                if (oldest is not null && oldest.UniqueAddress.Equals(store._cluster.SelfUniqueAddress))
                {
                    try
                    {
                        await store.RemoveNodeAsync(removed.Member.UniqueAddress); // no ConfigureAwait: the catch logs through the actor's context
                    }
                    catch (AskTimeoutException ex)
                    {
                        Context.GetLogger().Warning("Presence of removed node {0} was not cleaned up: {1}", removed.Member.Address, ex.Message);
                    }
                }
            });
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
