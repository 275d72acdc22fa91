using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using ActorChat.ChannelLayer;
using Akka.Actor;

namespace ActorChat.Consumers;

/// <summary>
/// A consumer: one Akka.NET actor per WebSocket connection, with the Django Channels life cycle. Override the
/// <c>On…Async</c> hooks; the sealed plumbing joins <see cref="Groups"/>, decodes events, dispatches channel layer
/// messages by type to <see cref="HandlesAttribute"/> methods, and stops the actor after the disconnect.
/// </summary>
/// <remarks>
/// Hooks run one at a time, as an actor's messages do: the next event waits until the previous hook's task has
/// completed (Akka's <c>RunTask</c> semantics), and code after an <c>await</c> in a hook runs on the actor again, so
/// <c>Self</c>, <c>Context</c>, <c>Sender</c> and the consumer's fields are safe to use there. A consumer is an
/// ordinary actor otherwise: it can <c>Context.Watch</c> other actors, use timers (<see cref="IWithTimers"/>) and a stash
/// (<see cref="IWithStash"/>), and Tell or Ask the application's own actors. Messages that are not WebSocket events or
/// channel layer messages reach <see cref="OnActorMessageAsync"/>. A hook that throws stops the consumer and closes its
/// connection with 1011; the node and every other connection go on.
/// </remarks>
public abstract partial class WebSocketConsumer : UntypedActor
{
    private readonly HandlerTable _table;
    private Dictionary<string, Func<ChannelMessage, Task>>? _instanceHandlers;
    private ConnectEvent? _connection;
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
    public string ChannelName => _connection?.Binding.Channel
        ?? throw new InvalidOperationException("ChannelName is assigned when the connection starts, before OnConnectAsync.");

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

    /// <summary>
    /// True when <see cref="OnReceiveTextAsync"/> has decoded the bytes by the time it returns its task (before any
    /// <c>await</c>), so they are not read afterwards and a pooled message can go back to the pool then.
    /// </summary>
    private protected virtual bool DecodesTextAtOnce => true;

    private Task ReceiveText(ReceiveTextEvent text)
    {
        var task = OnReceiveTextAsync(text.Utf8);
        if (text.Pooled is { } array && DecodesTextAtOnce)
        {
            ArrayPool<byte>.Shared.Return(array); // the string or the parsed JSON owns its data now
        }

        return task;
    }

    /// <summary>Called for each binary message. The default closes with 1003, since most consumers speak text.</summary>
    protected virtual Task OnReceiveAsync(ReadOnlyMemory<byte> bytes) =>
        CloseAsync(CloseCodes.UnsupportedData, "binary messages are not accepted");

    /// <summary>Called once when the connection has ended, after <see cref="Groups"/> were left.</summary>
    /// <param name="status">The close code, or <see cref="WebSocketCloseStatus.Empty"/> when the client sent none.</param>
    protected virtual Task OnDisconnectAsync(WebSocketCloseStatus? status) => Task.CompletedTask;

    /// <summary>
    /// Called for any other message this actor receives: a timer's message, the <see cref="Terminated"/> of an actor it
    /// watches, a message from one of the application's actors. The default passes it to <c>Unhandled</c>, which, as in
    /// any Akka actor, turns an unhandled <see cref="Terminated"/> into a <see cref="DeathPactException"/> (the
    /// connection closes with 1011) and publishes anything else as an <see cref="Akka.Event.UnhandledMessage"/>.
    /// </summary>
    protected virtual Task OnActorMessageAsync(object message)
    {
        Unhandled(message);
        return Task.CompletedTask;
    }

    /// <summary>Accepts the connection, optionally choosing one of <see cref="Scope.Subprotocols"/>.</summary>
    protected async Task AcceptAsync(string? subprotocol = null)
    {
        if (subprotocol is not null && !Scope.Subprotocols.Contains(subprotocol))
        {
            throw new ArgumentException($"Subprotocol '{subprotocol}' was not requested by the client (it asked for: {string.Join(", ", Scope.Subprotocols)}).", nameof(subprotocol));
        }

        await Connection.Transport.AcceptAsync(subprotocol);
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
    protected sealed override void OnReceive(object message)
    {
        switch (message)
        {
            case ChannelMessage channelMessage:
                OnChannelMessage(channelMessage);
                break;
            case ReceiveTextEvent text:
                RunHook(static (consumer, text) => consumer.Acknowledged(consumer.ReceiveText(text)), text);
                break;
            case ReceiveBinaryEvent binary:
                RunHook(static (consumer, binary) => consumer.Acknowledged(consumer.OnReceiveAsync(binary.Bytes)), binary);
                break;
            case ConnectEvent connect:
                RunHook(static (consumer, connect) => consumer.HandleConnectAsync(connect), connect);
                break;
            case DisconnectEvent disconnect:
                RunHook(static (consumer, disconnect) => consumer.HandleDisconnectAsync(disconnect.Code), disconnect);
                break;
            default:
                RunHook(static (consumer, message) => consumer.OnActorMessageAsync(message), message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _connection?.Binding.Dispose();
        _connection?.Transport.ConsumerStopped();
    }

    private void OnChannelMessage(ChannelMessage message)
    {
        if (_instanceHandlers is null && _table.IsRelayed(message.Type))
        {
            // A relayed type whose fast path was busy or closed: it only goes to the socket, so no task is needed.
            try
            {
                SendTextUtf8Async(message.PayloadJson);
            }
            finally
            {
                _connection?.Binding.MessageProcessed();
            }

            return;
        }

        RunHook(static (consumer, message) => consumer.DispatchAndAcknowledge(message), message);
    }

    private async Task DispatchAndAcknowledge(ChannelMessage message)
    {
        try
        {
            await Dispatch(message);
        }
        finally
        {
            _connection?.Binding.MessageProcessed(); // relayed messages may skip the mailbox again once it is empty
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

        var handler = _table.Find(message.Type);
        if (handler is null)
        {
            // Every member of a group with presence gets its diffs; one that has no use for them ignores them.
            return message.Type == PresenceDiff.MessageType ? Task.CompletedTask : throw UnknownMessageTypeException.NoHandler(GetType(), message.Type);
        }

        return handler(this, message);
    }

    private async Task Acknowledged(Task hook)
    {
        try
        {
            await hook;
        }
        finally
        {
            _connection?.Transport.ReceiveProcessed();
        }
    }

    private async Task HandleConnectAsync(ConnectEvent connect)
    {
        _connection = connect;
        foreach (var group in Groups)
        {
            await connect.Layer.GroupAddAsync(group, connect.Binding.Channel);
        }

        try
        {
            await OnConnectAsync();
        }
        catch (DenyConnectionException)
        {
            await CloseAsync(CloseCodes.PolicyViolation);
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
            if (_connection is { } connection)
            {
                foreach (var group in Groups)
                {
                    await connection.Layer.GroupDiscardAsync(group, connection.Binding.Channel);
                }

                await OnDisconnectAsync(code == CloseCodes.Abnormal ? WebSocketCloseStatus.Empty : (WebSocketCloseStatus)code);
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
