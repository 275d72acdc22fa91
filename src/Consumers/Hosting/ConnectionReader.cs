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
                    close.MarkClientClosed();
                    writer.Complete();
                    return close.EndCode(socket);
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

                await _credits.TakeAsync(abort).ConfigureAwait(false);
                metrics.FrameIn();
                object message = result.MessageType == WebSocketMessageType.Text
                    ? PooledText(buffer.AsSpan(0, count)) // validated UTF-8; decoded by the consumer only if it wants a string
                    : new ReceiveBinaryEvent(buffer.AsSpan(0, count).ToArray()); // the handler owns these bytes
                consumer.Tell(message, ActorRefs.NoSender);
                count = 0;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            return close.EndCode(socket);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A text message in a rented array: the consumer decodes it in its turn and gives the array back.</summary>
    private static ReceiveTextEvent PooledText(ReadOnlySpan<byte> utf8)
    {
        var array = ArrayPool<byte>.Shared.Rent(utf8.Length);
        utf8.CopyTo(array);
        return new ReceiveTextEvent(array.AsMemory(0, utf8.Length), array);
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxMessageSize + 1));
        buffer.AsSpan(0, count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
