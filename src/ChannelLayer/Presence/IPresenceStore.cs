namespace ActorChat.ChannelLayer;

/// <summary>
/// Where a layer keeps presence: a dictionary on one node, a replicated set in a cluster, hashes in Redis. The node's
/// <see cref="PresenceTracker"/> calls it one operation at a time, and sends the diffs.
/// </summary>
internal interface IPresenceStore
{
    /// <summary>Called with the metas the store dropped for a node that is gone, for the tracker to announce as leaves.</summary>
    Action<string, IReadOnlyList<PresenceMeta>>? Departed { set; }

    /// <summary>Stores a meta of this node in <paramref name="group"/>.</summary>
    Task AddAsync(string group, PresenceMeta meta);

    /// <summary>
    /// Called with a group where the store had dropped this node's metas as a gone node's (the node stalled past the
    /// store's expiry, and <see cref="Departed"/> announced them on another node) and has written them back, with the
    /// time of that sweep: the tracker announces the metas it has tracked since before then as joins again. At least
    /// once: the same sweep may come twice.
    /// </summary>
    Action<string, DateTimeOffset>? Returned { set; }

    /// <summary>
    /// Removes a meta of this node from <paramref name="group"/>. Returns the time this node's metas in the group were
    /// swept as a gone node's when that sweep is not yet handed to <see cref="Returned"/> (so a meta older than it had its
    /// leave announced then), else null.
    /// </summary>
    Task<DateTimeOffset?> RemoveAsync(string group, PresenceMeta meta);

    /// <summary>The metas in <paramref name="group"/> on every live node.</summary>
    Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken);
}
