using System.Net.WebSockets;
using Akka.Actor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Joins one Kestrel WebSocket to its consumer actor, from the handshake to the close: the consumer decides the
/// handshake, then a <see cref="ConnectionReader"/> turns messages into consumer events while a
/// <see cref="ConnectionWriter"/> sends what the consumer and the rooms queue.
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
    private readonly ConnectionCloseState _close = new();
    private readonly ConnectionWriter _writer;
    private readonly ConnectionReader _reader;
    private readonly TaskCompletionSource<string?> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _consumerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private IActorRef? _consumer;

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
        _writer = new ConnectionWriter(options, metrics, _close, _abort, logger, Id, route);
        _reader = new ConnectionReader(options, metrics, _close, _writer, logger, Id, route);
    }

    public long Id { get; }

    /// <summary>Messages waiting in this connection's consumer mailbox.</summary>
    public int ConsumerMailboxDepth => _consumer is ActorRefWithCell { Underlying: { } cell } ? cell.NumberOfMessages : 0;

    /// <summary>Runs the connection from handshake to close; returns when the consumer has stopped.</summary>
    public async Task RunAsync(IActorRef consumer)
    {
        _consumer = consumer;
        if (await AcceptAsync().ConfigureAwait(false) is not { } accepted)
        {
            return; // refused, and answered
        }

        var (socket, batching) = accepted;
        _writer.Open();
        _metrics.Opened();
        _registry.Add(this);
        BridgeLog.ConnectionOpened(_logger, Id, _route, _consumerName);
        _accepted.TrySetResult();

        // The socket's own operations get no token: a cancellable token sends ManagedWebSocket down its slower path on
        // every frame. Aborting the socket once, when the abort token fires, ends both loops instead.
        using var abortSocket = _abort.Token.Register(static state =>
        {
            var (writer, aborted) = ((ConnectionWriter, WebSocket))state!;
            aborted.Abort();
            writer.Complete(); // wakes an idle writer so it ends too
        }, (_writer, socket));
        var writing = _writer.RunAsync(socket, batching);
        var code = await _reader.RunAsync(socket, consumer, _abort.Token).ConfigureAwait(false);
        _writer.Complete();
        TellConsumerItEnded(code);
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
    public void CloseFromServer(int code, string? reason) => _writer.CloseFromServer(code, reason);

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

    void IConsumerTransport.SendText(ReadOnlyMemory<byte> utf8) => _writer.Enqueue(new OutgoingFrame(WebSocketMessageType.Text, utf8));

    void IConsumerTransport.SendBinary(ReadOnlyMemory<byte> bytes) => _writer.Enqueue(new OutgoingFrame(WebSocketMessageType.Binary, bytes));

    void IConsumerTransport.ReceiveProcessed() => _reader.ReturnCredit();

    ChannelLayer.IMessageRelay? IConsumerTransport.CreateRelay(IReadOnlySet<string> types) => new ClientRelay(_writer, types);

    void IConsumerTransport.ConsumerStopped()
    {
        _consumerStopped.TrySetResult();
        if (_close.ConsumerTold)
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

    /// <summary>Waits for the consumer's decision, then upgrades; null when the connection was refused (and answered).</summary>
    private async Task<(WebSocket Socket, BatchingStream? Batching)?> AcceptAsync()
    {
        string? subprotocol;
        try
        {
            subprotocol = await _handshake.Task.WaitAsync(_options.ConnectTimeout, _http.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Refuse(StatusCodes.Status403Forbidden, $"the consumer neither accepted nor closed within {_options.ConnectTimeout} (Bridge:ConnectTimeout)");
        }
        catch (OperationCanceledException)
        {
            return Refuse(0, "the client went away during the handshake");
        }
        catch (HandshakeRefusedException refused)
        {
            return Refuse(StatusCodes.Status403Forbidden, refused.Message);
        }

        try
        {
            return await WebSocketUpgrade.AcceptAsync(_http, subprotocol, _options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException)
        {
            return Refuse(0, "the upgrade failed: " + ex.Message);
        }
    }

    private void TellConsumerItEnded(int code)
    {
        if (_close.TryTellConsumer())
        {
            _consumer?.Tell(new DisconnectEvent(code), ActorRefs.NoSender);
        }
    }

    private (WebSocket, BatchingStream?)? Refuse(int statusCode, string reason)
    {
        HandshakeRefusal.Refuse(_http, _metrics, _logger, _route, statusCode, reason);
        _accepted.TrySetResult();
        TellConsumerItEnded(CloseCodes.Abnormal);
        return null;
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
}
