using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ActorChat.Consumers;

/// <summary>
/// What a consumer knows about its connection, like the ASGI scope in Channels: path, route values,
/// query, headers, cookies, requested subprotocols, addresses and the authenticated user.
/// </summary>
public sealed class Scope
{
    /// <summary>Creates a scope; the bridge builds one per connection, tests may build their own.</summary>
    public Scope(
        string path,
        RouteValueDictionary? route = null,
        QueryString queryString = default,
        IHeaderDictionary? headers = null,
        IReadOnlyDictionary<string, string>? cookies = null,
        IReadOnlyList<string>? subprotocols = null,
        IPEndPoint? client = null,
        IPEndPoint? server = null,
        ClaimsPrincipal? user = null)
    {
        Path = path;
        Route = route ?? [];
        QueryString = queryString;
        Query = new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(queryString.Value));
        Headers = headers ?? new HeaderDictionary();
        Cookies = cookies ?? new Dictionary<string, string>();
        Subprotocols = subprotocols ?? [];
        Client = client;
        Server = server;
        User = user ?? new ClaimsPrincipal(new ClaimsIdentity());
    }

    /// <summary>The request path, such as <c>/ws/chat/lobby/</c>.</summary>
    public string Path { get; }

    /// <summary>Values captured by the route pattern: <c>{room}</c> in <c>/ws/chat/{room}/</c> is <c>Route["room"]</c>.</summary>
    public RouteValueDictionary Route { get; }

    /// <summary>The raw query string, with its leading '?'.</summary>
    public QueryString QueryString { get; }

    /// <summary>The parsed query.</summary>
    public IQueryCollection Query { get; }

    /// <summary>The handshake request's headers.</summary>
    public IHeaderDictionary Headers { get; }

    /// <summary>The handshake request's cookies.</summary>
    public IReadOnlyDictionary<string, string> Cookies { get; }

    /// <summary>The subprotocols the client asked for, in its order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; }

    /// <summary>The client's address, if known.</summary>
    public IPEndPoint? Client { get; }

    /// <summary>The server's address, if known.</summary>
    public IPEndPoint? Server { get; }

    /// <summary>The user ASP.NET Core authentication established; anonymous when none.</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>Builds the scope of an HTTP request.</summary>
    public static Scope FromHttpContext(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Connection;
        return new Scope(
            context.Request.Path.Value ?? "/",
            new RouteValueDictionary(context.Request.RouteValues),
            context.Request.QueryString,
            context.Request.Headers,
            context.Request.Cookies.ToDictionary(c => c.Key, c => c.Value),
            context.WebSockets.WebSocketRequestedProtocols.ToList(),
            connection.RemoteIpAddress is { } remote ? new IPEndPoint(remote, connection.RemotePort) : null,
            connection.LocalIpAddress is { } local ? new IPEndPoint(local, connection.LocalPort) : null,
            context.User);
    }
}
