namespace ActorChat.ChannelLayer.Redis;

/// <summary>How a node reaches Redis and announces itself there.</summary>
public sealed class RedisLayerOptions
{
    /// <summary>
    /// The Redis servers as <c>host:port</c>: one plain server (the default is 127.0.0.1:6379), or two or more
    /// nodes of a Redis Cluster, which turns on slot routing and sharded pub/sub (SPUBLISH/SSUBSCRIBE).
    /// </summary>
    public string[] Endpoints { get; set; } = ["127.0.0.1:6379"];

    /// <summary>This node's id: ASCII letters, digits, '-' and '_'. Process-local channel names carry it.</summary>
    public string NodeId { get; set; } = "node";

    /// <summary>The prefix of every Redis key and pub/sub channel the layer uses. The default is <c>actorchat</c>.</summary>
    public string KeyPrefix { get; set; } = "actorchat";

    /// <summary>How long a node's membership entries live unless it refreshes them; a killed node's members drop out after this. The default is 15 seconds.</summary>
    public TimeSpan MembershipTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node refreshes its membership entries. The default is 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a TCP connect to Redis may take. The default is 1 second.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    internal System.Net.EndPoint[] ParseEndpoints() =>
        Endpoints.Length > 0
            ? [.. Endpoints.Select(RedisEndpoint.Parse).Distinct()]
            : throw new ArgumentException("No Redis endpoint is configured: list one server, or two or more Redis Cluster nodes, as host:port.");

    internal void Validate()
    {
        ParseEndpoints();
        if (NodeId.Length == 0 || !NodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Node id '{NodeId}' is invalid for the Redis layer: use ASCII letters, digits, '-' and '_'.");
        }

        if (MembershipTtl <= HeartbeatInterval)
        {
            throw new ArgumentException($"MembershipTtl ({MembershipTtl}) must be longer than HeartbeatInterval ({HeartbeatInterval}), or live nodes' members would flicker out.");
        }
    }
}
