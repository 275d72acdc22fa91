using Microsoft.AspNetCore.Http;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The analogue of Channels' <c>AllowedHostsOriginValidator</c>: a browser's <c>Origin</c> must be the
/// request's own host or one of <see cref="BridgeOptions.AllowedOrigins"/>. The list is normalized once.
/// </summary>
internal sealed class OriginValidator
{
    private readonly bool _anyOrigin;
    private readonly bool _requireOrigin;
    private readonly HashSet<string> _allowed;

    public OriginValidator(BridgeOptions options)
    {
        _anyOrigin = options.AllowedOrigins.Contains("*");
        _requireOrigin = options.RequireOrigin;
        _allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var origin in options.AllowedOrigins)
        {
            if (TryNormalize(origin, out var normalized))
            {
                _allowed.Add(normalized);
            }
        }
    }

    /// <summary>True when the request may open a WebSocket; <paramref name="origin"/> is what it sent.</summary>
    public bool IsAllowed(HttpRequest request, out string origin)
    {
        origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return !_requireOrigin; // non-browser clients send no Origin; cross-site attacks need a browser
        }

        if (_anyOrigin)
        {
            return true;
        }

        if (!TryNormalize(origin, out var normalized))
        {
            return false;
        }

        return _allowed.Contains(normalized) || SameHost(normalized, request);
    }

    /// <summary>Reduces an origin to <c>scheme://host:port</c>, lower-case, with the default port made explicit.</summary>
    public static bool TryNormalize(string origin, out string normalized)
    {
        normalized = "";
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Host.Length == 0
            || uri.Scheme is not ("http" or "https") || (uri.AbsolutePath != "/" && uri.AbsolutePath.Length > 0))
        {
            return false;
        }

        normalized = $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}";
        return true;
    }

    private static bool SameHost(string normalizedOrigin, HttpRequest request)
    {
        var host = request.Host;
        if (!host.HasValue)
        {
            return false;
        }

        var scheme = request.IsHttps ? "https" : "http";
        var port = host.Port ?? (request.IsHttps ? 443 : 80);
        var hostName = host.Host.ToLowerInvariant();
        // A page served over http may open ws:, one over https opens wss:; the Origin carries the page's scheme.
        return normalizedOrigin == $"{scheme}://{hostName}:{port}";
    }
}
