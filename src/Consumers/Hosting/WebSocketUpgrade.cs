using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Completes a WebSocket handshake and returns the socket. With <see cref="BridgeOptions.UseTransportPipe"/> or
/// <see cref="BridgeOptions.CoalesceWrites"/> it answers the RFC 6455 handshake itself and runs the WebSocket on a
/// <see cref="BatchingStream"/>: over the connection's transport pipe (skipping the HTTP/1.1 upgrade stream) when
/// <see cref="BridgeOptions.UseTransportPipe"/> is on, else over pipes around the upgrade stream. With both off it is
/// ASP.NET Core's own accept, one flush per frame.
/// </summary>
internal static class WebSocketUpgrade
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Accepts the socket; <c>Batching</c> is null when frames are flushed one by one.</summary>
    public static async Task<(WebSocket Socket, BatchingStream? Batching)> AcceptAsync(HttpContext context, string? subprotocol, BridgeOptions options)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (!(options.UseTransportPipe || options.CoalesceWrites) || upgrade is not { IsUpgradableRequest: true })
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

        var upgraded = await upgrade.UpgradeAsync().ConfigureAwait(false); // sends the 101
        var transport = options.UseTransportPipe ? context.Features.Get<IConnectionTransportFeature>()?.Transport : null;
        var stream = transport is not null
            ? new BatchingStream(transport.Input, transport.Output)
            : new BatchingStream(PipeReader.Create(upgraded), PipeWriter.Create(upgraded));
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subprotocol,
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        return (socket, options.CoalesceWrites ? stream : null);
    }
}
