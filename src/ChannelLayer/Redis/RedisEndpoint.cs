using System.Net;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>Reads <c>host:port</c>, as configured and as Redis Cluster names its nodes.</summary>
internal static class RedisEndpoint
{
    /// <summary>An <see cref="IPEndPoint"/> for an address, a <see cref="DnsEndPoint"/> for a host name.</summary>
    /// <exception cref="ArgumentException">The text is not <c>host:port</c> with a port from 1 to 65535.</exception>
    public static EndPoint Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"Redis endpoint '{text}' is invalid: expected host:port, such as 127.0.0.1:6379.");
        }

        var host = text[..colon];
        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    /// <summary>The node named by a <c>MOVED slot host:port</c> or <c>ASK slot host:port</c> error, or null for any other reply.</summary>
    public static EndPoint? Redirect(RedisReply reply, out bool ask)
    {
        ask = false;
        if (!reply.IsError || reply.Text is not { } text)
        {
            return null;
        }

        ask = text.StartsWith("ASK ", StringComparison.Ordinal);
        if (!ask && !text.StartsWith("MOVED ", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = text.Split(' ');
        return parts.Length == 3 ? Parse(parts[2]) : null;
    }
}
