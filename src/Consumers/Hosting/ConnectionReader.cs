using System.Buffers;
using System.Net.WebSockets;
using System.Text.Unicode;
using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// A connection's receive loop: it reads whole messages, checks their size and UTF-8, and tells each to the consumer.
/// Credits (<see cref="BridgeOptions.ReceiveCredits"/>) bound the messages waiting for the consumer: when they run out
/// the loop stops reading the socket, so a flooding client slows only itself.
/// </summary>
internal sealed class ConnectionReader(
    BridgeOptions options, BridgeMetrics metrics, ConnectionCloseState close, ConnectionWriter writer, ILogger logger, long id, string route)
{
    private readonly CreditGate _credits = new(options.ReceiveCredits);

    /// <summary>The consumer has handled one received message: one more may be read.</summary>
    public void ReturnCredit() => _credits.Return();

    /// <summary>Reads until the connection ends; returns the code it ended with.</summary>
    public async Task<int> RunAsync(WebSocket socket, IActorRef consumer, CancellationToken abort)
    {
        // Between messages the loop holds no buffer: it waits with a zero-byte receive, which completes when the next
        // frame's header has arrived, and rents one only then. An idle connection keeps no 4 KB array (SignalR's
        // transport waits the same way); the transport pipe below holds no memory while idle either.
        byte[]? buffer = null;
        var count = 0;
        var discarding = false;
        try
        {
            while (true)
            {
                if (buffer is not null && count == buffer.Length)
                {
                    buffer = Grow(buffer, count);
                }

                var result = await socket.ReceiveAsync(buffer is null ? Memory<byte>.Empty : buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    close.MarkClientClosed();
                    writer.Complete();
                    return close.EndCode(socket);
                }

                if (buffer is null && !result.EndOfMessage)
                {
                    buffer = ArrayPool<byte>.Shared.Rent(4096); // a message has begun (an empty one ends here, with no buffer)
                    continue;
                }

                count += result.Count;
                if (discarding)
                {
                    count = 0;
                    continue; // after a 1009 or 1007 we only wait for the client's close
                }

                if (count > options.MaxMessageSize)
                {
                    BridgeLog.MessageTooBig(logger, id, route, options.MaxMessageSize);
                    writer.CloseFromServer(CloseCodes.MessageTooBig, $"message over {options.MaxMessageSize} bytes");
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
                    writer.CloseFromServer(CloseCodes.InvalidPayload, "text message is not valid UTF-8");
                    discarding = true;
                    count = 0;
                    continue;
                }

                // The message leaves the buffer before the loop waits for a credit, so a reader held back holds no buffer.
                var message = Message(result.MessageType, buffer.AsSpan(0, count)); // an empty message came with no buffer: an empty span
                count = 0;
                Release(ref buffer);
                await _credits.TakeAsync(abort).ConfigureAwait(false);
                metrics.FrameIn();
                consumer.Tell(message, ActorRefs.NoSender);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            return close.EndCode(socket);
        }
        finally
        {
            Release(ref buffer);
        }
    }

    private static void Release(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    /// <summary>
    /// The consumer's event for a whole message. Text (validated UTF-8, decoded by the consumer only if it wants a string)
    /// goes in a rented array, which the consumer gives back once decoded; binary in an array the handler owns.
    /// </summary>
    private static object Message(WebSocketMessageType type, ReadOnlySpan<byte> bytes)
    {
        if (type == WebSocketMessageType.Binary)
        {
            return new ReceiveBinaryEvent(bytes.ToArray());
        }

        if (bytes.IsEmpty)
        {
            return new ReceiveTextEvent(ReadOnlyMemory<byte>.Empty);
        }

        var array = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(array);
        return new ReceiveTextEvent(array.AsMemory(0, bytes.Length), array);
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxMessageSize + 1));
        buffer.AsSpan(0, count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
