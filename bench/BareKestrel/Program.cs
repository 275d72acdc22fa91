// The yardstick: a naive "bare Kestrel" chat broadcaster with no actors and no layer. It speaks the same
// protocol as ActorChat's /ws/chat/{room}/ (send {"message": "..."}, every member gets {"message": "..."}),
// keeps a dictionary of rooms, gives each socket one writer draining a Channel<byte[]> with one SendAsync per
// frame, and encodes each message once. Keep it naive: ActorChat's overhead is measured against it.
//   dotnet run -c Release --project bench/BareKestrel -- --urls http://127.0.0.1:8100
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8100");
}

var app = builder.Build();
app.UseWebSockets();
var rooms = new ConcurrentDictionary<string, Room>();

app.Map("/ws/chat/{room}/", async (HttpContext context, string room) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var client = new Client(socket);
    var members = rooms.GetOrAdd(room, _ => new Room());
    members.Add(client.Outgoing.Writer);
    var writing = client.WriteLoopAsync();
    try
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            using var document = JsonDocument.Parse(message.ToArray());
            message.SetLength(0);
            if (document.RootElement.TryGetProperty("message", out var text))
            {
                members.Broadcast(JsonSerializer.SerializeToUtf8Bytes(new { message = text.GetString() }));
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or JsonException)
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
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var buffer = new byte[64 * 1024];
    while (true)
    {
        var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            break;
        }

        var reply = result.Count == 4 && buffer.AsSpan(0, 4).SequenceEqual("ping"u8) ? "pong!"u8.ToArray() : buffer[..result.Count];
        await socket.SendAsync(reply, result.MessageType, true, context.RequestAborted);
    }
});

app.Run();

/// <summary>A socket with its single writer.</summary>
internal sealed class Client(WebSocket socket)
{
    public Channel<byte[]> Outgoing { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public void Complete() => Outgoing.Writer.TryComplete();

    public async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in Outgoing.Reader.ReadAllAsync())
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
