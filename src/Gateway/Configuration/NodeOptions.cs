namespace ActorChat.Gateway.Configuration;

/// <summary>Where and how this node runs; the <c>node</c> section of <c>hocon.conf</c>.</summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "node";

    /// <summary>The address to listen on. The default is 127.0.0.1.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one. The default is 8000.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>This node's id in channel names and cross-node membership; generated at start when empty.</summary>
    public string Id { get; set; } = "";

    /// <summary>The channel layer: <c>memory</c> (one node, the default), <c>cluster</c> (many nodes on Akka.Cluster) or <c>redis</c> (many nodes on Redis).</summary>
    public string Layer { get; set; } = "memory";

    /// <summary>
    /// For the <c>cluster</c> layer: the <c>host:port</c> remoting addresses of the nodes to join (seed nodes). Empty (the
    /// default): the node forms a cluster of its own, which others can join.
    /// </summary>
    public string[] Seeds { get; set; } = [];

    /// <summary>For the <c>cluster</c> layer: the port Akka.Remote listens on; 0 (the default) picks a free one.</summary>
    public int RemotePort { get; set; }

    /// <summary>For the <c>cluster</c> layer: the address Akka.Remote listens on and other nodes reach it at. The default is 127.0.0.1.</summary>
    public string RemoteHost { get; set; } = "127.0.0.1";

    /// <summary>
    /// For the <c>redis</c> layer: Redis endpoints (<c>host:port</c>: one server, or two or more Redis Cluster nodes), or a
    /// StackExchange.Redis configuration string (<c>host:port,password=...,ssl=true</c>). The default is 127.0.0.1:6379.
    /// </summary>
    public string[] Redis { get; set; } = ["127.0.0.1:6379"];

    /// <summary>The largest body <c>POST /api/rooms/{room}/messages</c> accepts. The default is 64 KiB.</summary>
    public int MaxApiBodySize { get; set; } = 64 * 1024;

    /// <summary>Every problem with these values, each naming its key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"{SectionName}:port = {Port} is invalid: expected a port from 0 to 65535.");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{SectionName}:host is empty: expected an address such as 127.0.0.1.");
        }

        if (Layer is not ("memory" or "cluster" or "redis"))
        {
            errors.Add($"{SectionName}:layer = '{Layer}' is invalid: expected memory, cluster or redis.");
        }

        if (RemotePort is < 0 or > 65535)
        {
            errors.Add($"{SectionName}:remotePort = {RemotePort} is invalid: expected a port from 0 to 65535.");
        }

        foreach (var seed in Seeds)
        {
            var colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                errors.Add($"{SectionName}:seeds has '{seed}': expected host:port, such as 127.0.0.1:9001.");
            }
        }

        if (Id.Length > 0 && !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add($"{SectionName}:id = '{Id}' is invalid: expected ASCII letters, digits, '-' or '_'.");
        }

        if (Layer == "redis")
        {
            try
            {
                new ActorChat.ChannelLayer.Redis.RedisLayerOptions { Endpoints = Redis }.ToConfiguration();
            }
            catch (ArgumentException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (MaxApiBodySize < 2)
        {
            errors.Add($"{SectionName}:maxApiBodySize = {MaxApiBodySize} is invalid: expected at least 2 bytes.");
        }

        return errors;
    }
}
