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
    /// Called with channels of this node whose metas in a group the store had dropped as a gone node's (the node stalled
    /// past the store's expiry, and <see cref="Departed"/> announced them on another node) and has written back, for the
    /// tracker to announce as joins again.
    /// </summary>
    Action<string, IReadOnlyList<string>>? Returned { set; }

    /// <summary>
    /// Removes a meta of this node from <paramref name="group"/>; false when the store had already dropped it as a gone
    /// node's, so its leave was announced then.
    /// </summary>
    Task<bool> RemoveAsync(string group, PresenceMeta meta);

    /// <summary>The metas in <paramref name="group"/> on every live node.</summary>
    Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken);
}
