using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>How a node reaches Redis and announces itself there.</summary>
public sealed class RedisLayerOptions
{
    /// <summary>
    /// Where Redis is: a list of <c>host:port</c> (one plain server, the default 127.0.0.1:6379, or two or more nodes of a
    /// Redis Cluster), or one StackExchange.Redis configuration string such as
    /// <c>redis.example:6380,password=secret,ssl=true,abortConnect=false</c>, whose settings reach the connection as written.
    /// Two or more endpoints mean a Redis Cluster: group traffic then uses sharded pub/sub (SPUBLISH/SSUBSCRIBE).
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

    /// <summary>How long a TCP connect to Redis may take, unless the configuration string sets <c>connectTimeout</c>. The default is 1 second.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The multiplexer's settings. Ours, unless the configuration string says otherwise: no abort when Redis is down at
    /// startup (the node serves local rooms and reconnects), <see cref="ConnectTimeout"/>, and fail-fast while disconnected,
    /// so a cross-node message is counted as lost at once instead of waiting in a backlog and arriving late.
    /// </summary>
    /// <exception cref="ArgumentException">An endpoint or the configuration string is invalid; the message says which.</exception>
    public ConfigurationOptions ToConfiguration()
    {
        if (Endpoints.Length == 0)
        {
            throw new ArgumentException("node:redis is empty: list one Redis server, or two or more Redis Cluster nodes, as host:port, or give a StackExchange.Redis configuration string.");
        }

        // A configuration string may arrive split at its commas (a list value, --redis a:1,password=x): joined back, it reads the same.
        var isConfigurationString = Endpoints.Any(e => e.Contains('=') || e.Contains(','));
        var text = isConfigurationString ? string.Join(',', Endpoints) : null;
        ConfigurationOptions options;
        if (isConfigurationString)
        {
            try
            {
                options = ConfigurationOptions.Parse(text!);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"node:redis = '{text}' is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }

            if (options.EndPoints.Count == 0)
            {
                throw new ArgumentException($"node:redis = '{text}' names no Redis endpoint: start it with host:port, such as 127.0.0.1:6379,password=secret.");
            }
        }
        else
        {
            options = new ConfigurationOptions();
            foreach (var endpoint in Endpoints)
            {
                var (host, port) = ParseEndpoint(endpoint);
                options.EndPoints.Add(host, port);
            }
        }

        if (!Mentions(text, "abortConnect", isConfigurationString))
        {
            options.AbortOnConnectFail = false;
        }

        if (!Mentions(text, "connectTimeout", isConfigurationString))
        {
            options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        }

        options.ClientName ??= "actorchat-" + NodeId;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    internal void Validate()
    {
        ToConfiguration();
        if (NodeId.Length == 0 || !NodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Node id '{NodeId}' is invalid for the Redis layer: use ASCII letters, digits, '-' and '_'.");
        }

        if (MembershipTtl <= HeartbeatInterval)
        {
            throw new ArgumentException($"MembershipTtl ({MembershipTtl}) must be longer than HeartbeatInterval ({HeartbeatInterval}), or live nodes' members would flicker out.");
        }
    }

    private static (string Host, int Port) ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"node:redis endpoint '{text}' is invalid: expected host:port, such as 127.0.0.1:6379, or a StackExchange.Redis configuration string.");
        }

        return (text[..colon], port);
    }

    private static bool Mentions(string? text, string key, bool isConfigurationString) =>
        isConfigurationString && text!.Split(',').Any(part => part.TrimStart().StartsWith(key + "=", StringComparison.OrdinalIgnoreCase));
}
