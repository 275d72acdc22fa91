using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ActorChat.Gateway.Tests;

/// <summary>A ClientWebSocket with whole-message, time-bounded receives.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WsClient> ConnectAsync(Uri uri, string? origin = null, IEnumerable<string>? subprotocols = null, TimeSpan? keepAlivePings = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (keepAlivePings is { } interval)
        {
            socket.Options.KeepAliveInterval = interval;
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(10); // with a timeout the client sends real pings
        }
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        foreach (var subprotocol in subprotocols ?? [])
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        using var cts = new CancellationTokenSource(TestTimeouts.Dilated(TimeSpan.FromSeconds(10)));
        await socket.ConnectAsync(uri, cts.Token);
        return new WsClient(socket);
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendJsonAsync(object content) => SendTextAsync(JsonSerializer.Serialize(content));

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.DefaultTimeout);
        await Socket.SendAsync(bytes, type, endOfMessage: true, cts.Token);
    }

    /// <summary>The next whole message; for a close, its type is Close and the code is in <see cref="ClientWebSocket.CloseStatus"/>.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.DefaultTimeout);
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(_buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var (type, data) = await ReceiveAsync(timeout);
        Assert.True(type == WebSocketMessageType.Text, $"expected a text frame, got {type} (close status {Socket.CloseStatus})");
        return Encoding.UTF8.GetString(data);
    }

    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        using var document = JsonDocument.Parse(await ReceiveTextAsync(timeout));
        return document.RootElement.Clone();
    }

    /// <summary>Reads until the server's close arrives (skipping data frames) and returns its code.</summary>
    public async Task<int> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var (type, _) = await ReceiveAsync(timeout);
            if (type == WebSocketMessageType.Close)
            {
                return (int)Socket.CloseStatus!.Value;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        Socket.Dispose();
    }
}
