using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Completes a WebSocket handshake and returns the socket. On an HTTP/1.1 connection with a transport pipe (Kestrel's
/// sockets) it answers the RFC 6455 handshake itself and runs the WebSocket on a <see cref="BatchingStream"/> over the
/// connection's transport pipe, skipping the HTTP/1.1 upgrade stream, so the writer can put many frames in one flush.
/// Anywhere else (WebSockets over HTTP/2, a server without a transport pipe) it is ASP.NET Core's own accept, and the
/// writer sends frame by frame.
/// </summary>
internal static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Accepts the socket; <c>Batching</c> is null on ASP.NET Core's own accept.</summary>
    public static async Task<(WebSocket Socket, BatchingStream? Batching)> AcceptAsync(HttpContext context, string? subprotocol, BridgeOptions options)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var transport = context.Features.Get<IConnectionTransportFeature>()?.Transport;
        if (upgrade is not { IsUpgradableRequest: true } || transport is null)
        {
            return (await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = subprotocol,
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveTimeout,
            }).ConfigureAwait(false), null);
        }

        var key = context.Request.Headers.SecWebSocketKey.ToString();
        var headers = context.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));
        if (subprotocol is not null)
        {
            headers.SecWebSocketProtocol = subprotocol;
        }

        await upgrade.UpgradeAsync().ConfigureAwait(false); // sends the 101; the WebSocket then runs on the transport pipe
        var stream = new BatchingStream(transport.Input, transport.Output);
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subprotocol,
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        return (socket, stream);
    }
}
