using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The stream a connection's <see cref="System.Net.WebSockets.WebSocket"/> runs on, over the connection's transport
/// pipe. The writer puts every data frame it drained from its queue into the pipe and flushes once
/// (<see cref="WriteFramesAsync"/>, one send syscall); the WebSocket's own writes (pongs, keep-alive pings, the close
/// handshake) are flushed at once. One write gate keeps the two from interleaving.
/// </summary>
internal sealed class BatchingStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private volatile bool _disposed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The WebSocket's own frames (pongs, pings, close) come from other threads: one writer on the pipe at a time.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            output.Write(buffer.Span);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw OutputCompleted(ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Writes data frames directly (<see cref="FrameWriter"/>) and flushes them once, holding the write gate so
    /// no control frame of the WebSocket lands in the middle of one.
    /// </summary>
    public async ValueTask WriteFramesAsync(FrameSource frames, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FrameWriter.WriteAll(output, frames); // not inline here: each frame would be copied into the async state machine
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw OutputCompleted(ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Kestrel completes the transport's writer from its own thread when it aborts the connection (the client reset it,
    /// say). A write of ours that was between asking the pipe for memory and advancing it then fails in
    /// <c>Pipe.Advance</c> with <see cref="ArgumentOutOfRangeException"/>: that is the connection ending, reported as the
    /// <see cref="IOException"/> the writer and the WebSocket already take as one, not as the application's crash.
    /// </summary>
    private static IOException OutputCompleted(ArgumentOutOfRangeException exception) =>
        new("The connection's output was completed while a frame was being written: the connection was aborted.", exception);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Every read of an open connection waits for the client, so it completes asynchronously: the pooling builder reuses
    // its state machine box instead of allocating one per received message (about 170 B each). The WebSocket awaits
    // each read once, as a pooled ValueTask requires.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_disposed)
            {
                // Checked before each read, not only after a woken one: a zero-byte read that returns 0 means "data is
                // ready", so the read after it must see the abort too, or it waits for a client that is gone.
                return 0;
            }

            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var readable = result.Buffer;
            if (!readable.IsEmpty)
            {
                var count = (int)Math.Min(readable.Length, buffer.Length);
                readable.Slice(0, count).CopyTo(buffer.Span);
                input.AdvanceTo(readable.GetPosition(count));
                return count;
            }

            input.AdvanceTo(readable.Start);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0; // the WebSocket reads this as the connection ending
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// A WebSocket aborts (keep-alive timeout, cancellation) by disposing its stream and expects pending I/O to
    /// end. The pipes belong to Kestrel, which closes the connection when the request ends, so they are only
    /// woken here, not completed.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            input.CancelPendingRead();
            output.CancelPendingFlush();
        }

        base.Dispose(disposing);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => throw new NotSupportedException("Use FlushAsync.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
