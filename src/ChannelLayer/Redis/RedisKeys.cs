namespace ActorChat.ChannelLayer.Redis;

/// <summary>Every Redis key and pub/sub channel name the layer uses, in one place.</summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Pub/sub channel carrying a group's messages between nodes.</summary>
    public string Group(string group) => $"{Prefix}:group:{group}";

    /// <summary>Pub/sub channel carrying direct sends to a node's process-local channels.</summary>
    public string Node(string node) => $"{Prefix}:node:{node}";

    /// <summary>List holding a named channel's unreceived messages (worker queues).</summary>
    public string List(string channel) => $"{Prefix}:channel:{channel}";

    /// <summary>Pub/sub channel that wakes the workers waiting on a named channel's list after a push.</summary>
    public string ListWakeup(string channel) => $"{Prefix}:wakeup:{channel}";

    /// <summary>Set of one node's members of a group; expires unless the node refreshes it.</summary>
    public string Members(string group, string node) => $"{Prefix}:members:{group}:{node}";

    /// <summary>Set of the nodes that have (or had) members in a group.</summary>
    public string GroupNodes(string group) => $"{Prefix}:groupnodes:{group}";

    /// <summary>Hash of one node's presence metas in a group (channel → meta JSON). The group is the hash tag, so a
    /// group's presence keys share a Redis Cluster slot and one script can sweep them.</summary>
    public string Presence(string group, string node) => $"{PresencePrefix(group)}{node}";

    /// <summary>The part of <see cref="Presence"/> before the node id.</summary>
    public string PresencePrefix(string group) => $"{Prefix}:presence:{{{group}}}:";

    /// <summary>The Unix milliseconds at which a node's presence in a group was swept, until the node (back) has handled it.</summary>
    public string PresenceSwept(string group, string node) => $"{PresencePrefix(group)}swept:{node}";

    /// <summary>Sorted set of the nodes with presence in a group, each scored with the Unix milliseconds its metas expire at.</summary>
    public string PresenceNodes(string group) => $"{Prefix}:presencenodes:{{{group}}}";

    /// <summary>Set of the groups that have (or had) presence, for the sweep.</summary>
    public string PresenceGroups => $"{Prefix}:presencegroups";
}
