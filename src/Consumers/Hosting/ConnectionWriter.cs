using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// A connection's one writer: it owns the bounded queue of outgoing frames that the consumer and the rooms' relays
/// fill, and the loop that drains it into the socket, so frames are never interleaved or torn. A client that reads too
/// slowly fills its queue and is closed with 1013; no other connection notices.
/// </summary>
internal sealed class ConnectionWriter(
    BridgeOptions options, BridgeMetrics metrics, ConnectionCloseState close, CancellationTokenSource abort, ILogger logger, long id, string route)
{
    private readonly FrameQueue _queue = new(options.OutgoingQueueCapacity);
    private volatile bool _open;

    /// <summary>Marks the socket accepted: from now on <see cref="TryEnqueue"/> takes relayed frames.</summary>
    public void Open() => _open = true;

    /// <summary>Takes no more frames and wakes an idle writer, which then ends.</summary>
    public void Complete() => _queue.Complete();

    /// <summary>
    /// Queues a frame from a relay. False, and the frame is not taken, before the socket is accepted or once a close
    /// has started: the caller hands the message to the consumer instead.
    /// </summary>
    public bool TryEnqueue(in OutgoingFrame frame)
    {
        if (!_open || close.ServerClosing)
        {
            return false;
        }

        Enqueue(frame);
        return true;
    }

    /// <summary>
    /// Queues a frame in order. Frames after a close (the server's or the client's) are dropped: the client is going
    /// away. A full queue closes the client with 1013.
    /// </summary>
    public void Enqueue(in OutgoingFrame frame)
    {
        if (_queue.TryWrite(frame) || close.ServerClosing || _queue.IsCompleted)
        {
            return;
        }

        // The client is not reading. Drop what it would never read in time, and tell it why if it ever reads again;
        // the writer may be stuck in a send the client never reads, so the connection goes after one close timeout.
        if (StartClose(CloseCodes.TryAgainLater, "client too slow: outgoing queue full", dropQueued: true, abortAfter: options.CloseTimeout))
        {
            BridgeLog.SlowConsumer(logger, id, route, options.OutgoingQueueCapacity);
            metrics.SlowConsumerClosed();
        }
    }

    /// <summary>Closes from the server side with <paramref name="code"/>: a consumer's close, a shutdown, an oversize message.</summary>
    public void CloseFromServer(int code, string? reason) =>
        StartClose(code, reason, dropQueued: false, abortAfter: options.CloseTimeout + options.CloseTimeout); // the loop's own timer starts once the close is sent

    /// <summary>
    /// Drains the queue into <paramref name="socket"/> until the connection ends. Each wake-up takes what is queued (up
    /// to a bound, so one busy socket cannot hold a thread forever) and flushes once. On the transport pipe
    /// (<paramref name="batching"/>) it writes the data frames itself, header plus one copy of the shared payload;
    /// otherwise through the WebSocket, frame by frame. Frames keep their queue order, which is the order the consumer
    /// and its rooms sent them.
    /// </summary>
    public async Task RunAsync(WebSocket socket, BatchingStream? batching)
    {
        var token = abort.Token;
        var frames = new FrameSource(_queue, max: 256);
        try
        {
            while (!close.ClientClosed && await _queue.WaitToReadAsync().ConfigureAwait(false))
            {
                frames.Reset();
                if (batching is not null)
                {
                    await batching.WriteFramesAsync(frames, token).ConfigureAwait(false);
                }
                else
                {
                    await SendThroughWebSocketAsync(socket, frames).ConfigureAwait(false);
                }

                metrics.FramesSent(frames.Taken);
                if (frames.Close is { } closing)
                {
                    await socket.CloseOutputAsync((WebSocketCloseStatus)closing.CloseCode, closing.Reason, token).ConfigureAwait(false);
                    abort.CancelAfter(options.CloseTimeout); // the client has this long to answer the close
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
            // The socket is gone or was aborted; the reader reports the end.
        }
    }

    /// <summary>
    /// Queues the server's close frame behind the queued frames (or instead of them, with <paramref name="dropQueued"/>,
    /// or when the queue is full), takes no more frames, and drops the connection after <paramref name="abortAfter"/>
    /// if the close handshake has not ended it. False when a close had already started.
    /// </summary>
    private bool StartClose(int code, string? reason, bool dropQueued, TimeSpan abortAfter)
    {
        if (!close.TryStartServerClose(code))
        {
            return false;
        }

        if (dropQueued || !_queue.TryWrite(OutgoingFrame.Close(code, reason)))
        {
            while (_queue.TryRead(out _))
            {
            }

            _queue.TryWrite(OutgoingFrame.Close(code, reason));
        }

        _queue.Complete();
        abort.CancelAfter(abortAfter);
        return true;
    }

    private async Task SendThroughWebSocketAsync(WebSocket socket, FrameSource frames)
    {
        while (!close.ClientClosed && frames.TryNext(out var frame))
        {
            await socket.SendAsync(frame.Payload, frame.Type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
