using System.Net.WebSockets;
using System.Text;
using ActorChat.Actors;
using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>
/// A consumer: one actor per WebSocket connection, with the Django Channels life cycle. Override the
/// <c>On…Async</c> hooks; the sealed plumbing joins <see cref="Groups"/>, decodes events, dispatches
/// channel layer messages by type to <see cref="HandlesAttribute"/> methods, and stops the actor after
/// the disconnect. Hooks run one at a time: the next event waits until the previous hook's task completes.
/// </summary>
public abstract partial class WebSocketConsumer : ActorBase
{
    private readonly HandlerTable _table;
    private Dictionary<string, Func<ChannelMessage, Task>>? _instanceHandlers;
    private ConnectEvent? _connection;
    private ChannelBinding? _binding;
    private string? _channelName;
    private bool _accepted;
    private bool _closed;
    private bool _disconnected;

    /// <summary>Creates the consumer; the connection is not open yet, so <see cref="Scope"/> is not available here.</summary>
    protected WebSocketConsumer() => _table = HandlerTable.For(GetType());

    /// <summary>The connection's scope: path, route values, headers, user. Available from <see cref="OnConnectAsync"/> on.</summary>
    public Scope Scope => Connection.Scope;

    /// <summary>The node's channel layer.</summary>
    protected IChannelLayer ChannelLayer => Connection.Layer;

    /// <summary>This consumer's own channel name; a <c>SendToChannelAsync</c> to it reaches this actor.</summary>
    public string ChannelName => _channelName ?? throw new InvalidOperationException("ChannelName is assigned when the connection starts, before OnConnectAsync.");

    /// <summary>Groups joined before <see cref="OnConnectAsync"/> and left at disconnect. None by default.</summary>
    protected virtual IEnumerable<string> Groups => [];

    private ConnectEvent Connection => _connection
        ?? throw new InvalidOperationException($"{GetType().Name}: the connection is not open yet; use Scope and ChannelLayer from OnConnectAsync on, not in the constructor.");

    /// <summary>Called when a client connects. The default accepts; close or throw <see cref="DenyConnectionException"/> to refuse with HTTP 403.</summary>
    protected virtual Task OnConnectAsync() => AcceptAsync();

    /// <summary>Called for each text message. The default ignores it.</summary>
    protected virtual Task OnReceiveAsync(string text) => Task.CompletedTask;

    /// <summary>Turns a text message's UTF-8 into a string for <see cref="OnReceiveAsync(string)"/>; JSON consumers parse the bytes instead.</summary>
    private protected virtual Task OnReceiveTextAsync(ReadOnlyMemory<byte> utf8) => OnReceiveAsync(Encoding.UTF8.GetString(utf8.Span));

    /// <summary>Called for each binary message. The default closes with 1003, since most consumers speak text.</summary>
    protected virtual Task OnReceiveAsync(ReadOnlyMemory<byte> bytes) =>
        CloseAsync(CloseCodes.UnsupportedData, "binary messages are not accepted");

    /// <summary>Called once when the connection has ended, after <see cref="Groups"/> were left.</summary>
    /// <param name="status">The close code, or <see cref="WebSocketCloseStatus.Empty"/> when the client sent none.</param>
    protected virtual Task OnDisconnectAsync(WebSocketCloseStatus? status) => Task.CompletedTask;

    /// <summary>Accepts the connection, optionally choosing one of <see cref="Scope.Subprotocols"/>.</summary>
    protected async Task AcceptAsync(string? subprotocol = null)
    {
        if (subprotocol is not null && !Scope.Subprotocols.Contains(subprotocol))
        {
            throw new ArgumentException($"Subprotocol '{subprotocol}' was not requested by the client (it asked for: {string.Join(", ", Scope.Subprotocols)}).", nameof(subprotocol));
        }

        await Connection.Transport.AcceptAsync(subprotocol).ConfigureAwait(false);
        _accepted = true;
    }

    /// <summary>Closes the connection with <paramref name="code"/> after the frames already sent; before accept, refuses it with HTTP 403.</summary>
    protected Task CloseAsync(int code = CloseCodes.Normal, string? reason = null)
    {
        if (!_closed)
        {
            _closed = true;
            Connection.Transport.Close(code, reason);
        }

        return Task.CompletedTask;
    }

    /// <summary>Sends a text frame.</summary>
    protected Task SendAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendTextUtf8Async(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Sends a binary frame.</summary>
    protected Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        EnsureOpen();
        Connection.Transport.SendBinary(bytes);
        return Task.CompletedTask;
    }

    /// <summary>Sends a text frame that is already UTF-8, without copying it; shared buffers stay shared.</summary>
    protected internal Task SendTextUtf8Async(ReadOnlyMemory<byte> utf8)
    {
        EnsureOpen();
        Connection.Transport.SendText(utf8);
        return Task.CompletedTask;
    }

    /// <summary>Registers a handler for <paramref name="type"/> in code, as an alternative to <see cref="HandlesAttribute"/>.</summary>
    protected void Handle(string type, Func<ChannelMessage, Task> handler)
    {
        ChannelNames.ValidateType(type);
        ArgumentNullException.ThrowIfNull(handler);
        (_instanceHandlers ??= new(StringComparer.Ordinal))[type] = handler;
    }

    /// <inheritdoc />
    protected sealed override bool Receive(object message)
    {
        switch (message)
        {
            case ChannelMessage channelMessage:
                RunTask(DispatchAndAcknowledge(channelMessage));
                return true;
            case ReceiveTextEvent text:
                RunTask(Acknowledged(OnReceiveTextAsync(text.Utf8)));
                return true;
            case ReceiveBinaryEvent binary:
                RunTask(Acknowledged(OnReceiveAsync(binary.Bytes)));
                return true;
            case ConnectEvent connect:
                RunTask(HandleConnectAsync(connect));
                return true;
            case DisconnectEvent disconnect:
                RunTask(HandleDisconnectAsync(disconnect.Code));
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _binding?.Dispose();
        _connection?.Transport.ConsumerStopped();
    }

    private async Task DispatchAndAcknowledge(ChannelMessage message)
    {
        try
        {
            await Dispatch(message).ConfigureAwait(false);
        }
        finally
        {
            _binding?.MessageProcessed(); // relayed messages may skip the mailbox again once it is empty
        }
    }

    private Task Dispatch(ChannelMessage message)
    {
        if (message.Type.StartsWith('_'))
        {
            throw UnknownMessageTypeException.Private(GetType(), message.Type);
        }

        if (_instanceHandlers is not null && _instanceHandlers.TryGetValue(message.Type, out var own))
        {
            return own(message);
        }

        var handler = _table.Find(message.Type) ?? throw UnknownMessageTypeException.NoHandler(GetType(), message.Type);
        return handler(this, message);
    }

    private async Task Acknowledged(Task hook)
    {
        try
        {
            await hook.ConfigureAwait(false);
        }
        finally
        {
            _connection?.Transport.ReceiveProcessed();
        }
    }

    private async Task HandleConnectAsync(ConnectEvent connect)
    {
        _connection = connect;
        _channelName = await connect.Layer.NewChannelAsync("consumer").ConfigureAwait(false); // "consumer.*": ChannelLayer:ConsumerCapacity applies
        var relay = _table.Relayed.Count > 0 ? connect.Transport.CreateRelay(_table.Relayed) : null;
        _binding = connect.Layer.Bind(_channelName, Self, relay);
        foreach (var group in Groups)
        {
            await connect.Layer.GroupAddAsync(group, _channelName).ConfigureAwait(false);
        }

        try
        {
            await OnConnectAsync().ConfigureAwait(false);
        }
        catch (DenyConnectionException)
        {
            await CloseAsync(CloseCodes.PolicyViolation).ConfigureAwait(false);
        }
    }

    private async Task HandleDisconnectAsync(int code)
    {
        if (_disconnected)
        {
            return;
        }

        _disconnected = true;
        try
        {
            if (_connection is not null && _channelName is not null)
            {
                foreach (var group in Groups)
                {
                    await _connection.Layer.GroupDiscardAsync(group, _channelName).ConfigureAwait(false);
                }

                await OnDisconnectAsync(code == CloseCodes.Abnormal ? WebSocketCloseStatus.Empty : (WebSocketCloseStatus)code).ConfigureAwait(false);
            }
        }
        finally
        {
            Context.Stop(Self);
        }
    }

    private void EnsureOpen()
    {
        if (!_accepted)
        {
            throw new InvalidOperationException($"{GetType().Name} sent a frame before AcceptAsync; accept the connection first.");
        }
    }
}
