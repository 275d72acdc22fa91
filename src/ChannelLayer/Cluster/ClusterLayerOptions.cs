namespace ActorChat.ChannelLayer.Cluster;

/// <summary>How the cluster layer runs on its node.</summary>
public sealed class ClusterLayerOptions
{
    /// <summary>
    /// The layer's name: its actors are <c>/user/{Name}-relay</c>, <c>-rooms</c> and <c>-queues</c> on every node, and nodes
    /// whose layers share the name carry each other's groups. The default is <c>actorchat</c>.
    /// </summary>
    public string Name { get; set; } = "actorchat";

    /// <summary>
    /// The cluster role of the nodes that run the layer; members without it are not waited for. Null (the default) means
    /// every member. The gateway gives its nodes the role <c>actorchat</c>.
    /// </summary>
    public string? Role { get; set; }

    /// <summary>How often a node that is not ready yet greets the others. The default is 250 ms.</summary>
    public TimeSpan HelloInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a join or a group send waits for the node to be ready (Up, and known both ways by every other node's
    /// mediator) before going ahead anyway, with a warning. The default is 10 seconds.
    /// </summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a query to another node (its members of a group) may take before that node is left out. The default is 2 seconds.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
