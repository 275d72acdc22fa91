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
/// later read here and spreads it (deltas every 200 ms, full state by gossip every 10 s, the layer's default:
/// <see cref="ClusterChannelLayer.DistributedDataSettings"/>). The diff is a group send, so the tracking node's members
/// learn of the change at once; another node holds a diff back until its own replica has the
/// change (<see cref="PresenceFeed"/>). So a list reads this node's replica only: a member that joins has in its list
/// every change announced here before it joined, and gets every later one as a diff. Another node lists a change once
/// replication reaches it (well under a second when the nodes keep up, measured in BENCHMARKS.md).</para>
/// <para>Why several sets per group: DistributedData merges, serializes and gossips a set whole. One set of a 5,000-member
/// room cost every node a merge of all 5,000 elements for each delta from another node, and a full copy (serialized and
/// gzipped) whenever two replicas differed at a gossip round, which in a busy room is every round; the replicators fell
/// seconds behind. A shard holds an eighth of the room, and only shards that changed are merged and copied.</para>
/// <para>A list leaves out the metas of nodes that are no longer members. When a node is removed (downed by the split
/// brain resolver, or left), the oldest node removes its metas from every set and announces them as leaves. That
/// removal is needed: DistributedData's pruning would otherwise re-add the removed node's elements under a survivor.</para>
/// </remarks>
internal sealed class ClusterPresenceStore : IPresenceStore
{
    /// <summary>How many sets hold one group's metas.</summary>
    internal const int Shards = 8;

    private const string KeyPrefix = "actorchat-presence:";
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<(string Group, string Channel), string> _ownElements = [];
    private readonly ConcurrentDictionary<string, DecodedShard> _decoded = new(StringComparer.Ordinal); // key id → the shard as last read
    private readonly IActorRef _feed;
    private readonly IActorRef _reader;
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
        _reader = system.ActorOf(ActorFactory.Props(() => new ShardReader(_replicator)), name + "-reader");
        _feed = system.ActorOf(ActorFactory.Props(() => new PresenceFeed(this, publishLocal)), name + "-feed");
    }

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { set => _departed = value; }

    /// <summary>Never called: a node the cluster removed does not come back (it restarts as a new incarnation).</summary>
    public Action<string, DateTimeOffset>? Returned { set { } }

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

    public async Task<DateTimeOffset?> RemoveAsync(string group, PresenceMeta meta)
    {
        if (_ownElements.Remove((group, meta.Channel), out var element))
        {
            var self = _cluster.SelfUniqueAddress;
            await UpdateAsync(Key(group, ShardOf(meta.Channel)), set => set.Remove(self, element)).ConfigureAwait(false);
        }

        return null;
    }

    public async Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken)
    {
        var live = LiveNodes();
        // This node's replica alone (a read of every replica cost a copy of the whole set from each node per joiner): the
        // feed holds other nodes' diffs until the replica has their changes, so a member misses none between list and diffs.
        var elements = await ReadAsync(group, Enumerable.Range(0, Shards), cancellationToken).ConfigureAwait(false);
        return [.. elements
            .Where(e => live.Contains((e.Stored.Address, e.Stored.Uid)))
            .Select(e => e.Stored.Meta)];
    }

    /// <summary>
    /// The metas this node's replica has in the shards of <paramref name="group"/> that hold <paramref name="channels"/>,
    /// from any node (the feed checks held diffs against them without reading the whole group).
    /// </summary>
    internal async Task<IReadOnlyList<PresenceMeta>> ReadAroundAsync(string group, IEnumerable<string> channels) =>
        [.. (await ReadAsync(group, channels.Select(ShardOf).Distinct(), CancellationToken.None).ConfigureAwait(false)).Select(e => e.Stored.Meta)];

    /// <summary>The elements of <paramref name="group"/>'s <paramref name="shards"/> in this node's replica, in one read.</summary>
    private async Task<IEnumerable<(string Raw, Element Stored)>> ReadAsync(string group, IEnumerable<int> shards, CancellationToken cancellationToken)
    {
        ORSetKey<string>[] keys = [.. shards.Select(shard => Key(group, shard))];
        var answers = await ShardReader.ReadAsync(_reader, keys, _timeout, cancellationToken).ConfigureAwait(false);
        return keys.SelectMany((key, i) => Decoded(key, answers[i]));
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
    /// A shard's elements as stored (removal needs the exact string) and decoded, from the replica's answer (none when the
    /// read failed, which a local read does not). A shard that has not changed since the last read is not decoded again: the
    /// replica hands out the same immutable set until a write or merge replaces it, and in a busy room most shards are
    /// unchanged between two joins.
    /// </summary>
    private IReadOnlyList<(string Raw, Element Stored)> Decoded(ORSetKey<string> key, IGetResponse answer)
    {
        if (answer is not GetSuccess success)
        {
            _decoded.TryRemove(key.Id, out _);
            return [];
        }

        var set = success.Get(key);
        var before = _decoded.GetValueOrDefault(key.Id);
        if (before is not null && ReferenceEquals(before.Set, set))
        {
            return before.Elements;
        }

        // The set enumerated as it is (its Elements property builds a hash set of every element first). An element the
        // previous read had is found by reference (a new version of a set keeps its elements' strings; hashing each
        // 200-character string cost more than the rest of a list), then by value (a merged full state brings new
        // strings), and only a new one is decoded.
        var byReference = new Dictionary<string, Element>(before?.Elements.Count ?? 0, ReferenceEqualityComparer.Instance);
        foreach (var (raw, stored) in before?.Elements ?? [])
        {
            byReference[raw] = stored;
        }

        Dictionary<string, Element>? byValue = null;
        var elements = new List<(string Raw, Element Stored)>(set.Count);
        foreach (var raw in set)
        {
            if (!byReference.TryGetValue(raw, out var stored))
            {
                byValue ??= new Dictionary<string, Element>(byReference, StringComparer.Ordinal);
                stored = byValue.GetValueOrDefault(raw) ?? JsonSerializer.Deserialize<Element>(raw, ChannelMessageJson.Options)!;
            }

            elements.Add((raw, stored));
        }

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
        // A key without a shard is an earlier build's one set per group (a rolling upgrade): not this build's to clean.
        foreach (var id in ids.Keys.Where(k => k.StartsWith(KeyPrefix, StringComparison.Ordinal) && k.LastIndexOf('/') > KeyPrefix.Length))
        {
            var key = new ORSetKey<string>(id);
            var answer = (await ShardReader.ReadAsync(_reader, [key], _timeout, CancellationToken.None).ConfigureAwait(false))[0];
            var gone = Decoded(key, answer)
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
