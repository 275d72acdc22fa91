// A hand-tuned broadcaster: no actors, no layer, and the transport work done by hand on ManagedWebSocket:
// the 101 answered by hand, the WebSocket run on the connection's transport pipe, and each socket's writer sending
// every queued frame into the pipe before one flush. It is not the yardstick (that is bench/BareKestrel, kept naive).
// It measures, on this machine and like for like, how far a broadcaster can get past the naive reference without the
// framework: the ceiling the framework's own overhead is judged against (`bench/compare --with-tuned`). Same protocol
// as bench/BareKestrel; no keep-alive, no origin check, no close handshake, no limits: do not serve with it.
//   dotnet bench/HandTuned/bin/Release/net10.0/ActorChat.HandTuned.dll --urls http://127.0.0.1:8100 [--inline true]
// --inline true adds Kestrel's inline socket completions (UnsafePreferInlineScheduling). Off by default: measured, it
// made every send one frame long in fan-out (BENCHMARKS.md, "The ceiling").
using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8100");
}

var inline = builder.Configuration.GetValue("inline", false);
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = inline);

var app = builder.Build();
var rooms = new ConcurrentDictionary<string, Room>();

app.Map("/ws/chat/{room}/", async (HttpContext context, string room) =>
{
    if (await Handshake.AcceptAsync(context) is not { } connection)
    {
        return;
    }

    var (socket, stream) = connection;
    var client = new TunedClient(socket, stream);
    var members = rooms.GetOrAdd(room, _ => new Room());
    members.Add(client.Outgoing.Writer);
    var writing = client.WriteLoopAsync();
    try
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            using var document = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length));
            message.SetLength(0);
            if (document.RootElement.TryGetProperty("message", out var text))
            {
                members.Broadcast(JsonSerializer.SerializeToUtf8Bytes(new { message = text.GetString() }));
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or JsonException or IOException)
    {
    }
    finally
    {
        members.Remove(client.Outgoing.Writer);
        client.Complete();
        await writing;
    }
});

app.Map("/ws/echo/", async (HttpContext context) =>
{
    if (await Handshake.AcceptAsync(context) is not { } connection)
    {
        return;
    }

    var (socket, stream) = connection;
    var buffer = new byte[64 * 1024];
    try
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            var reply = result.Count == 4 && buffer.AsSpan(0, 4).SequenceEqual("ping"u8) ? "pong!"u8.ToArray() : buffer[..result.Count];
            await socket.SendAsync(reply.AsMemory(), result.MessageType, true, CancellationToken.None);
            await stream.FlushAsync();
        }
    }
    catch (Exception ex) when (ex is WebSocketException or IOException)
    {
    }
});

app.Run();

/// <summary>The RFC 6455 handshake answered by hand, then a WebSocket on the connection's transport pipe.</summary>
internal static class Handshake
{
    public static async Task<(WebSocket Socket, PipeStream Stream)?> AcceptAsync(HttpContext context)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            context.Response.StatusCode = 400;
            return null;
        }

        var key = context.Request.Headers.SecWebSocketKey.ToString();
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await upgrade.UpgradeAsync();
        var transport = context.Features.Get<IConnectionTransportFeature>()!.Transport;
        var stream = new PipeStream(transport.Input, transport.Output);
        return (WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true }), stream);
    }
}

/// <summary>A stream over the transport pipe whose writes only fill the output buffer; <see cref="FlushAsync(CancellationToken)"/> sends.</summary>
internal sealed class PipeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly Stream _input = input.AsStream(leaveOpen: true); // reading needs nothing special

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        output.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) => await output.FlushAsync(cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Flush() => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A socket with its single writer, which sends every queued frame into the pipe and flushes once.</summary>
internal sealed class TunedClient(WebSocket socket, PipeStream stream)
{
    public Channel<byte[]> Outgoing { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public void Complete() => Outgoing.Writer.TryComplete();

    public async Task WriteLoopAsync()
    {
        try
        {
            while (await Outgoing.Reader.WaitToReadAsync())
            {
                while (Outgoing.Reader.TryRead(out var frame))
                {
                    await socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);
                }

                await stream.FlushAsync();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }
}
