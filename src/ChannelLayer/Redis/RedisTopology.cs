using System.Globalization;
using System.Net;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Which Redis server owns each of the 16,384 slots: one server for all of them outside a cluster, or
/// the masters that <c>CLUSTER SLOTS</c> names. Immutable; a refresh builds a new one.
/// </summary>
internal sealed class RedisTopology
{
    private readonly EndPoint?[] _owners;

    private RedisTopology(EndPoint?[] owners)
    {
        _owners = owners;
        Masters = owners.OfType<EndPoint>().Distinct().ToArray();
    }

    /// <summary>Every server that owns at least one slot.</summary>
    public IReadOnlyList<EndPoint> Masters { get; }

    /// <summary>One server owning every slot: plain Redis, not a cluster.</summary>
    public static RedisTopology Single(EndPoint server) => new(Enumerable.Repeat<EndPoint?>(server, RedisSlots.Count).ToArray());

    /// <summary>
    /// Reads a <c>CLUSTER SLOTS</c> reply: per range, <c>[start, end, [host, port, id…], replicas…]</c>.
    /// A host of "" or "?" means the server that answered (<paramref name="answeredBy"/>).
    /// </summary>
    /// <exception cref="FormatException">The reply is not shaped like a CLUSTER SLOTS reply.</exception>
    public static RedisTopology FromClusterSlots(RedisReply reply, EndPoint answeredBy)
    {
        var owners = new EndPoint?[RedisSlots.Count];
        foreach (var range in reply.Items ?? throw new FormatException("CLUSTER SLOTS did not answer with an array."))
        {
            if (range.Items is not { Length: >= 3 } parts || parts[0].Kind != ':' || parts[1].Kind != ':' || parts[2].Items is not { Length: >= 2 } master)
            {
                throw new FormatException("A CLUSTER SLOTS range is not [start, end, [host, port, …], …].");
            }

            var (start, end) = (parts[0].Integer, parts[1].Integer);
            if (start < 0 || end >= RedisSlots.Count || start > end)
            {
                throw new FormatException($"CLUSTER SLOTS named the slot range {start}-{end}, outside 0-{RedisSlots.Count - 1}.");
            }

            var host = master[0].AsString();
            if (string.IsNullOrEmpty(host) || host == "?")
            {
                host = answeredBy switch { IPEndPoint ip => ip.Address.ToString(), DnsEndPoint dns => dns.Host, _ => "127.0.0.1" };
            }

            var owner = RedisEndpoint.Parse(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{master[1].Integer}" : $"{host}:{master[1].Integer.ToString(CultureInfo.InvariantCulture)}");
            Array.Fill(owners, owner, (int)start, (int)(end - start + 1));
        }

        return new RedisTopology(owners);
    }

    /// <summary>The server owning <paramref name="key"/>'s slot.</summary>
    /// <exception cref="RedisUnavailableException">No server owns that slot (the cluster is not fully covered).</exception>
    public EndPoint OwnerOf(string key)
    {
        var slot = RedisSlots.Of(key);
        return _owners[slot] ?? throw new RedisUnavailableException($"No Redis Cluster node serves slot {slot} (for '{key}'); the cluster is not fully covered.");
    }

    /// <summary>True when both topologies place every slot on the same server.</summary>
    public bool SameAs(RedisTopology other) => _owners.SequenceEqual(other._owners);
}
