using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// One TCP connection to Redis that pipelines commands. A writer loop coalesces every queued command
/// into one socket write, and a reader loop completes the commands' replies in order. When the socket
/// fails, every pending command fails with <see cref="RedisUnavailableException"/> and the connection
/// is <see cref="IsBroken"/>; the owner opens a new one.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<(byte[] Command, TaskCompletionSource<RedisReply>? Reply)> _outgoing =
        Channel.CreateUnbounded<(byte[], TaskCompletionSource<RedisReply>?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<TaskCompletionSource<RedisReply>?> _awaiting = new();
    private readonly Action<RedisReply>? _onPushOrUnmatched;
    private readonly Action<string>? _onFireAndForgetError;
    private readonly Task _writing;
    private readonly Task _reading;
    private volatile bool _broken;

    private RedisConnection(Socket socket, Action<RedisReply>? onPush, Action<string>? onFireAndForgetError)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _onPushOrUnmatched = onPush;
        _onFireAndForgetError = onFireAndForgetError;
        _writing = Task.Run(WriteLoopAsync);
        _reading = Task.Run(ReadLoopAsync);
    }

    /// <summary>True once the socket failed or was closed; commands then fail at once.</summary>
    public bool IsBroken => _broken;

    /// <summary>Completes when the connection has broken.</summary>
    public Task Closed => _reading;

    /// <summary>Opens a connection to <paramref name="endpoint"/> within <paramref name="timeout"/>.</summary>
    /// <param name="endpoint">The Redis server.</param>
    /// <param name="timeout">How long the TCP connect may take.</param>
    /// <param name="onPush">For a subscriber connection: receives every reply (pub/sub pushes have no command waiting).</param>
    /// <param name="onFireAndForgetError">Called with the error text of a fire-and-forget command that Redis refused.</param>
    public static async Task<RedisConnection> ConnectAsync(EndPoint endpoint, TimeSpan timeout, Action<RedisReply>? onPush = null, Action<string>? onFireAndForgetError = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            return new RedisConnection(socket, onPush, onFireAndForgetError);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new RedisUnavailableException($"Redis at {endpoint} is unreachable: {(ex is OperationCanceledException ? $"no connection within {timeout.TotalMilliseconds:0} ms" : ex.Message)}.", ex);
        }
    }

    /// <summary>Sends a command and waits for its reply.</summary>
    public Task<RedisReply> ExecuteAsync(params object[] args)
    {
        var reply = new TaskCompletionSource<RedisReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(args, reply);
        return reply.Task;
    }

    /// <summary>Sends a command without waiting; a refusal is reported to the error callback.</summary>
    public void Fire(params object[] args) => Enqueue(args, null);

    private void Enqueue(object[] args, TaskCompletionSource<RedisReply>? reply)
    {
        if (_broken)
        {
            throw new RedisUnavailableException("The Redis connection is closed.");
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        RespProtocol.WriteCommand(buffer, args);
        if (!_outgoing.Writer.TryWrite((buffer.WrittenSpan.ToArray(), reply)))
        {
            throw new RedisUnavailableException("The Redis connection is closed.");
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.WrittenCount < 64 * 1024 && _outgoing.Reader.TryRead(out var item))
                {
                    batch.Write(item.Command);
                    _awaiting.Enqueue(item.Reply); // before the write, so the reader always finds it
                }

                await _stream.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                batch.ResetWrittenCount();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Break();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }

                var read = await _stream.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                end += read;
                while (start < end)
                {
                    var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, start, end - start));
                    if (!RespProtocol.TryRead(ref reader, out var reply))
                    {
                        break;
                    }

                    start += (int)reader.Consumed;
                    Deliver(reply);
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or RedisUnavailableException)
        {
        }
        finally
        {
            Break();
        }
    }

    private void Deliver(RedisReply reply)
    {
        if (_onPushOrUnmatched is not null)
        {
            _onPushOrUnmatched(reply); // subscriber connections: every reply is an event
            return;
        }

        if (!_awaiting.TryDequeue(out var waiting))
        {
            return;
        }

        if (waiting is not null)
        {
            waiting.TrySetResult(reply);
        }
        else if (reply.IsError)
        {
            _onFireAndForgetError?.Invoke(reply.Text ?? "error");
        }
    }

    private void Break()
    {
        if (_broken)
        {
            return;
        }

        _broken = true;
        _outgoing.Writer.TryComplete();
        var failure = new RedisUnavailableException("The Redis connection was lost.");
        while (_awaiting.TryDequeue(out var waiting))
        {
            waiting?.TrySetException(failure);
        }

        while (_outgoing.Reader.TryRead(out var item))
        {
            item.Reply?.TrySetException(failure);
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Break();
        await _stream.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_writing, _reading).ConfigureAwait(false);
    }
}
