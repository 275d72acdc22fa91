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
}
