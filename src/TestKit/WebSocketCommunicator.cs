using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ActorChat.ChannelLayer;
using ActorChat.Consumers;
using Akka.Actor;
using Scope = ActorChat.Consumers.Scope;

namespace ActorChat.TestKit;

/// <summary>
/// Drives one consumer in-process, without sockets or a server, like Channels' <c>WebsocketCommunicator</c>:
/// connect, send frames, read what the consumer sent, disconnect. The consumer runs as a real actor
/// against a real channel layer, so groups and handlers work as in production. Every receive has a timeout.
/// </summary>
public sealed class WebSocketCommunicator : IAsyncDisposable
{
    private readonly ConsumerLauncher _launcher;
    private readonly Props _props;
    private readonly Scope _scope;
    private readonly Transport _transport;
    private IActorRef? _consumer;
    private bool _disconnected;

    /// <summary>
    /// Creates a communicator for the consumer <paramref name="props"/> makes, with <paramref name="scope"/> as its connection.
    /// The consumer starts under <paramref name="system"/>'s consumer supervisor, as on a node.
    /// </summary>
    public WebSocketCommunicator(ActorSystem system, IChannelLayer layer, Props props, Scope scope)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(layer);
        _launcher = new ConsumerLauncher(ConsumerSupervisors.For(system), layer, TestTimeouts.DefaultTimeout);
        _props = props ?? throw new ArgumentNullException(nameof(props));
        _scope = scope ?? throw new ArgumentNullException(nameof(scope));
        _transport = new Transport();
    }

    /// <summary>The consumer actor, once connected.</summary>
    public IActorRef Consumer => _consumer ?? throw new InvalidOperationException("Call ConnectAsync first.");

    /// <summary>Starts the consumer and waits for it to accept or refuse.</summary>
    public async Task<ConnectResult> ConnectAsync(TimeSpan? timeout = null)
    {
        _consumer = await _launcher.LaunchAsync(_props, _scope, _transport);
        var wait = timeout ?? TestTimeouts.DefaultTimeout;
        try
        {
            return await _transport.Decision.Task.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            throw new ExpectationFailedException($"Expected the consumer to accept or close within {TestTimeouts.Format(wait)}, but it did neither.");
        }
    }

    /// <summary>Sends a text message to the consumer.</summary>
    public Task SendToAsync(string text)
    {
        Consumer.Tell(new ReceiveTextEvent(Encoding.UTF8.GetBytes(text)), ActorRefs.NoSender);
        return Task.CompletedTask;
    }

    /// <summary>Sends a binary message to the consumer.</summary>
    public Task SendToAsync(byte[] bytes)
    {
        Consumer.Tell(new ReceiveBinaryEvent(bytes), ActorRefs.NoSender);
        return Task.CompletedTask;
    }

    /// <summary>Sends <paramref name="content"/> as a JSON text message (web conventions: camelCase).</summary>
    public Task SendJsonToAsync(object content) => SendToAsync(JsonSerializer.Serialize(content, content.GetType(), JsonSerializerOptions.Web));

    /// <summary>Waits for the next frame the consumer sent: text, binary, or close.</summary>
    public async Task<CommunicatorFrame> ReceiveFromAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? TestTimeouts.DefaultTimeout;
        using var cts = new CancellationTokenSource(wait);
        try
        {
            return await _transport.Output.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new ExpectationFailedException($"Expected a frame from the consumer within {TestTimeouts.Format(wait)}, but none arrived.");
        }
    }

    /// <summary>Waits for the next frame and parses it as JSON; fails if it is not a JSON text frame.</summary>
    public async Task<JsonElement> ReceiveJsonFromAsync(TimeSpan? timeout = null)
    {
        var frame = await ReceiveFromAsync(timeout);
        if (frame.Type != WebSocketMessageType.Text)
        {
            throw new ExpectationFailedException($"Expected a JSON text frame, but received {frame}.");
        }

        try
        {
            using var document = JsonDocument.Parse(frame.Payload);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ExpectationFailedException($"Expected a JSON text frame, but received {frame}: {ex.Message}");
        }
    }

    /// <summary>Waits for a close frame and returns its code; fails on any other frame.</summary>
    public async Task<int> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var frame = await ReceiveFromAsync(timeout);
        return frame is { Type: WebSocketMessageType.Close, CloseCode: { } code }
            ? code
            : throw new ExpectationFailedException($"Expected a close frame, but received {frame}.");
    }

    /// <summary>Asserts that the consumer sends nothing during <paramref name="timeout"/> (default 100 ms).</summary>
    public async Task ReceiveNothingAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromMilliseconds(100);
        using var cts = new CancellationTokenSource(wait);
        try
        {
            var frame = await _transport.Output.Reader.ReadAsync(cts.Token);
            throw new ExpectationFailedException($"Expected nothing from the consumer for {TestTimeouts.Format(wait)}, but received {frame}.");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Disconnects with <paramref name="code"/> and waits until the consumer has left its groups and stopped.</summary>
    public async Task DisconnectAsync(int code = CloseCodes.Normal, TimeSpan? timeout = null)
    {
        if (_disconnected || _consumer is null)
        {
            return;
        }

        _disconnected = true;
        _consumer.Tell(new DisconnectEvent(code), ActorRefs.NoSender);
        var wait = timeout ?? TestTimeouts.DefaultTimeout;
        try
        {
            await _transport.Stopped.Task.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            throw new ExpectationFailedException($"Expected the consumer to stop within {TestTimeouts.Format(wait)} of the disconnect, but it is still running.");
        }
    }

    /// <summary>Disconnects if still connected.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_consumer is not null && !_transport.Stopped.Task.IsCompleted)
        {
            await DisconnectAsync();
        }
    }

    /// <summary>The in-memory connection the consumer talks to.</summary>
    private sealed class Transport : IConsumerTransport
    {
        public TaskCompletionSource<ConnectResult> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Channel<CommunicatorFrame> Output { get; } = Channel.CreateUnbounded<CommunicatorFrame>();

        public ValueTask AcceptAsync(string? subprotocol)
        {
            Decision.TrySetResult(new ConnectResult(true, subprotocol, null));
            return ValueTask.CompletedTask;
        }

        public void Close(int code, string? reason)
        {
            if (!Decision.TrySetResult(new ConnectResult(false, null, code)))
            {
                Output.Writer.TryWrite(new CommunicatorFrame(WebSocketMessageType.Close, default, code, reason));
            }
        }

        public void SendText(ReadOnlyMemory<byte> utf8) => Output.Writer.TryWrite(new CommunicatorFrame(WebSocketMessageType.Text, utf8));

        public void SendBinary(ReadOnlyMemory<byte> bytes) => Output.Writer.TryWrite(new CommunicatorFrame(WebSocketMessageType.Binary, bytes));

        public void ReceiveProcessed()
        {
        }

        // The communicator has no socket writer to relay to: relayed types reach the consumer, which sends them the same way.
        public ChannelLayer.IMessageRelay? CreateRelay(IReadOnlySet<string> types) => null;

        public void ConsumerStopped()
        {
            if (!Decision.TrySetResult(new ConnectResult(false, null, CloseCodes.InternalError)) && !Stopped.Task.IsCompleted)
            {
                Output.Writer.TryWrite(new CommunicatorFrame(WebSocketMessageType.Close, default, CloseCodes.InternalError, "internal error"));
            }

            Stopped.TrySetResult();
        }
    }
}
