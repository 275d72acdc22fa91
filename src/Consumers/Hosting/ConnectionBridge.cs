using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Joins one Kestrel WebSocket to its consumer actor: a receive loop turns messages into consumer
/// events, and a single writer drains a bounded queue of outgoing frames, so frames are never
/// interleaved or torn. A client that reads too slowly fills its queue and is closed with 1013;
/// no other connection notices.
/// </summary>
internal sealed class ConnectionBridge : IConsumerTransport
{
    private readonly HttpContext _http;
    private readonly BridgeOptions _options;
    private readonly BridgeMetrics _metrics;
    private readonly ConnectionRegistry _registry;
    private readonly ILogger _logger;
    private readonly string _route;
    private readonly string _consumerName;
    private readonly FrameQueue _outgoing;
    private readonly CreditGate _credits;
    private readonly TaskCompletionSource<string?> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _consumerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private IActorRef? _consumer;
    private int _closing;
    private int _serverCloseCode;
    private int _disconnectSent;
    private volatile bool _clientClosed;

    public ConnectionBridge(HttpContext http, BridgeOptions options, BridgeMetrics metrics, ConnectionRegistry registry, ILogger logger, string route, string consumerName)
    {
        _http = http;
        _options = options;
        _metrics = metrics;
        _registry = registry;
        _logger = logger;
        _route = route;
        _consumerName = consumerName;
        Id = registry.NextId();
        _outgoing = new FrameQueue(options.OutgoingQueueCapacity);
        _credits = new CreditGate(options.ReceiveCredits);
    }

    public long Id { get; }

    /// <summary>Messages waiting in this connection's consumer mailbox.</summary>
    public int ConsumerMailboxDepth => _consumer is ActorRefWithCell { Underlying: { } cell } ? cell.NumberOfMessages : 0;

    /// <summary>Runs the connection from handshake to close; returns when the consumer has stopped.</summary>
    public async Task RunAsync(IActorRef consumer)
    {
        _consumer = consumer;
        string? subprotocol;
        try
        {
            subprotocol = await _handshake.Task.WaitAsync(_options.ConnectTimeout, _http.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Refuse(StatusCodes.Status403Forbidden, $"the consumer neither accepted nor closed within {_options.ConnectTimeout} (Bridge:ConnectTimeout)");
            return;
        }
        catch (OperationCanceledException)
        {
            Refuse(0, "the client went away during the handshake");
            return;
        }
        catch (HandshakeRefusedException refused)
        {
            Refuse(StatusCodes.Status403Forbidden, refused.Message);
            return;
        }

        WebSocket socket;
        BatchingStream? batching;
        try
        {
            (socket, batching) = await WebSocketUpgrade.AcceptAsync(_http, subprotocol, _options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException)
        {
            Refuse(0, "the upgrade failed: " + ex.Message);
            return;
        }

        _metrics.Opened();
        _registry.Add(this);
        BridgeLog.ConnectionOpened(_logger, Id, _route, _consumerName);
        _accepted.TrySetResult();

        // The socket's own operations get no token: a cancellable token sends ManagedWebSocket down its slower path on
        // every frame. Aborting the socket once, when the abort token fires, ends both loops instead.
        using var abortSocket = _abort.Token.Register(static state =>
        {
            var (bridge, aborted) = ((ConnectionBridge, WebSocket))state!;
            aborted.Abort();
            bridge._outgoing.Complete(); // wakes an idle writer so it ends too
        }, (this, socket));
        var writing = WriteLoopAsync(socket, batching);
        var code = await ReceiveLoopAsync(socket).ConfigureAwait(false);
        _outgoing.Complete();
        SendDisconnect(code);
        await WaitQuietly(writing, _options.CloseTimeout).ConfigureAwait(false);
        await WaitQuietly(_consumerStopped.Task, _options.CloseTimeout).ConfigureAwait(false);
        if (socket.State != WebSocketState.Closed)
        {
            socket.Abort();
        }

        _registry.Remove(this);
        _metrics.Closed();
        BridgeLog.ConnectionClosed(_logger, Id, _route, code);
    }

    /// <summary>Drops the connection at once, without waiting for the client's half of a close (a shutdown that ran out of time).</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>Closes from the server side with <paramref name="code"/>: a consumer's close, a shutdown, an oversize message.</summary>
    public void CloseFromServer(int code, string? reason) =>
        StartClose(code, reason, dropQueued: false, abortAfter: _options.CloseTimeout + _options.CloseTimeout); // the writer's own timer starts once the close is sent

    /// <summary>
    /// Queues the server's close frame behind the queued frames (or instead of them, with <paramref name="dropQueued"/>,
    /// or when the queue is full), takes no more frames, and drops the connection after <paramref name="abortAfter"/>
    /// if the close handshake has not ended it. False when a close had already started.
    /// </summary>
    private bool StartClose(int code, string? reason, bool dropQueued, TimeSpan abortAfter)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return false;
        }

        _serverCloseCode = code;
        if (dropQueued || !_outgoing.TryWrite(OutgoingFrame.Close(code, reason)))
        {
            DropQueuedFrames();
            _outgoing.TryWrite(OutgoingFrame.Close(code, reason));
        }

        _outgoing.Complete();
        _abort.CancelAfter(abortAfter);
        return true;
    }

    ValueTask IConsumerTransport.AcceptAsync(string? subprotocol)
    {
        _handshake.TrySetResult(subprotocol);
        return new ValueTask(_accepted.Task);
    }

    void IConsumerTransport.Close(int code, string? reason)
    {
        if (!_handshake.TrySetException(new HandshakeRefusedException($"the consumer closed with {code} before accepting")))
        {
            CloseFromServer(code, reason);
        }
    }

    void IConsumerTransport.SendText(ReadOnlyMemory<byte> utf8) => Enqueue(new OutgoingFrame(WebSocketMessageType.Text, utf8));

    void IConsumerTransport.SendBinary(ReadOnlyMemory<byte> bytes) => Enqueue(new OutgoingFrame(WebSocketMessageType.Binary, bytes));

    void IConsumerTransport.ReceiveProcessed() => _credits.Return();

    ChannelLayer.IMessageRelay? IConsumerTransport.CreateRelay(IReadOnlySet<string> types) => _options.RelayToClient ? new Relay(this, types) : null;

    void IConsumerTransport.ConsumerStopped()
    {
        _consumerStopped.TrySetResult();
        if (Volatile.Read(ref _disconnectSent) != 0)
        {
            return; // it stopped because we told it the connection ended
        }

        if (_handshake.TrySetException(new HandshakeRefusedException("the consumer failed before accepting")))
        {
            return;
        }

        if (_registry.IsStopping)
        {
            CloseFromServer(CloseCodes.GoingAway, "server shutting down"); // the actor system stopped it on the way down
            return;
        }

        BridgeLog.ConsumerFailed(_logger, Id, _route, _consumer?.Path.ToString() ?? _consumerName);
        CloseFromServer(CloseCodes.InternalError, "internal error");
    }

    private void Enqueue(in OutgoingFrame frame)
    {
        if (_outgoing.TryWrite(frame) || Volatile.Read(ref _closing) != 0 || _outgoing.IsCompleted)
        {
            return; // frames after a close (ours or the client's) are dropped: the client is going away
        }

        // The client is not reading. Drop what it would never read in time, and tell it why if it ever reads again;
        // the writer may be stuck in a send the client never reads, so the connection goes after one close timeout.
        if (StartClose(CloseCodes.TryAgainLater, "client too slow: outgoing queue full", dropQueued: true, abortAfter: _options.CloseTimeout))
        {
            BridgeLog.SlowConsumer(_logger, Id, _route, _options.OutgoingQueueCapacity);
            _metrics.SlowConsumerClosed();
        }
    }

    private void DropQueuedFrames()
    {
        while (_outgoing.TryRead(out _))
        {
        }
    }

    /// <summary>
    /// The connection's single writer. Each wake-up drains what is queued (up to a bound, so one busy socket
    /// cannot hold a thread forever) and flushes once. With <see cref="BridgeOptions.DirectFrames"/> it writes the
    /// data frames itself (header plus one copy of the shared payload); otherwise through the WebSocket, frame by
    /// frame. Frames keep their queue order, which is the order the consumer and its rooms sent them.
    /// </summary>
    private async Task WriteLoopAsync(WebSocket socket, BatchingStream? batching)
    {
        var token = _abort.Token;
        var frames = new FrameSource(_outgoing, max: 256);
        var direct = batching is not null && _options.DirectFrames;
        try
        {
            while (!_clientClosed && await _outgoing.WaitToReadAsync().ConfigureAwait(false))
            {
                frames.Reset();
                if (direct)
                {
                    await batching!.WriteFramesAsync(frames, token).ConfigureAwait(false);
                }
                else
                {
                    await SendThroughWebSocketAsync(socket, batching, frames, token).ConfigureAwait(false);
                }

                _metrics.FramesSent(frames.Taken);
                if (frames.Close is { } closing)
                {
                    await socket.CloseOutputAsync((WebSocketCloseStatus)closing.CloseCode, closing.Reason, token).ConfigureAwait(false);
                    _abort.CancelAfter(_options.CloseTimeout); // the client has this long to answer the close
                    return;
                }
            }

            if (socket.State == WebSocketState.CloseReceived)
            {
                // The client closed first: answer with its own code to finish the handshake cleanly.
                await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The socket is gone or was aborted; the receive loop reports the end.
        }
    }

    private async Task SendThroughWebSocketAsync(WebSocket socket, BatchingStream? batching, FrameSource frames, CancellationToken token)
    {
        if (batching is not null)
        {
            await batching.BeginBatchAsync(token).ConfigureAwait(false);
        }

        try
        {
            while (!_clientClosed && frames.TryNext(out var frame))
            {
                await socket.SendAsync(frame.Payload, frame.Type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (batching is not null)
            {
                await batching.EndBatchAsync(token).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ReceiveLoopAsync(WebSocket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var count = 0;
        var discarding = false;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    buffer = Grow(buffer, count);
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _clientClosed = true;
                    _outgoing.Complete();
                    return ClosedCode(socket);
                }

                count += result.Count;
                if (discarding)
                {
                    count = 0;
                    continue; // after a 1009 or 1007 we only wait for the client's close
                }

                if (count > _options.MaxMessageSize)
                {
                    BridgeLog.MessageTooBig(_logger, Id, _route, _options.MaxMessageSize);
                    CloseFromServer(CloseCodes.MessageTooBig, $"message over {_options.MaxMessageSize} bytes");
                    discarding = true;
                    count = 0;
                    continue;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text && !Utf8.IsValid(buffer.AsSpan(0, count)))
                {
                    CloseFromServer(CloseCodes.InvalidPayload, "text message is not valid UTF-8");
                    discarding = true;
                    count = 0;
                    continue;
                }

                await DeliverAsync(result.MessageType, buffer, count).ConfigureAwait(false);
                count = 0;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            return ClosedCode(socket);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask DeliverAsync(WebSocketMessageType type, byte[] buffer, int count)
    {
        await _credits.TakeAsync(_abort.Token).ConfigureAwait(false);
        _metrics.FrameIn();
        object message = type == WebSocketMessageType.Text
            ? new ReceiveTextEvent(buffer.AsSpan(0, count).ToArray()) // validated UTF-8; decoded by the consumer only if it wants a string
            : new ReceiveBinaryEvent(buffer.AsSpan(0, count).ToArray());
        _consumer!.Tell(message, ActorRefs.NoSender);
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageSize + 1));
        buffer.AsSpan(0, count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>The code a connection ended with: the server's own close code if it closed first, else the client's.</summary>
    private int ClosedCode(WebSocket socket)
    {
        var serverCode = Volatile.Read(ref _serverCloseCode);
        if (serverCode != 0)
        {
            return serverCode;
        }

        return socket.CloseStatus is { } status ? (int)status : CloseCodes.Abnormal;
    }

    private void SendDisconnect(int code)
    {
        if (Interlocked.Exchange(ref _disconnectSent, 1) == 0)
        {
            _consumer?.Tell(new DisconnectEvent(code), ActorRefs.NoSender);
        }
    }

    private void Refuse(int statusCode, string reason)
    {
        HandshakeRefusal.Refuse(_http, _metrics, _logger, _route, statusCode, reason);
        _accepted.TrySetResult();
        SendDisconnect(CloseCodes.Abnormal);
    }

    private static async Task WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private sealed class HandshakeRefusedException(string reason) : Exception(reason);

    /// <summary>
    /// The broadcast fast path: a room hands a relayed message's shared bytes straight to this connection's
    /// writer queue. Before the socket is accepted, or once it is closing, it declines and the consumer gets the message.
    /// </summary>
    private sealed class Relay(ConnectionBridge bridge, IReadOnlySet<string> types) : ChannelLayer.IMessageRelay
    {
        private string? _lastRelayed;

        /// <summary>
        /// A room asks this once per member per message, so the last type that relayed is remembered by reference:
        /// every member sees the same message instance, and a record's type name is one cached string. Only a
        /// positive answer is kept, in one reference write, because rooms on several threads may ask at once.
        /// </summary>
        public bool Relays(string type)
        {
            if (ReferenceEquals(type, Volatile.Read(ref _lastRelayed)))
            {
                return true;
            }

            if (!types.Contains(type))
            {
                return false;
            }

            Volatile.Write(ref _lastRelayed, type);
            return true;
        }

        public bool TryRelay(ChannelLayer.ChannelMessage message)
        {
            if (!bridge._accepted.Task.IsCompleted || Volatile.Read(ref bridge._closing) != 0)
            {
                return false;
            }

            bridge.Enqueue(new OutgoingFrame(WebSocketMessageType.Text, message.PayloadJson));
            return true;
        }
    }
}
