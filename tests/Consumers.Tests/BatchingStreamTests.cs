using System.IO.Pipelines;
using ActorChat.Consumers.Hosting;

namespace ActorChat.Consumers.Tests;

/// <summary>The stream a connection's WebSocket runs on: its read side over real pipes, and a write racing the connection's end.</summary>
public sealed class BatchingStreamTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_zero_byte_read_waits_for_data_and_consumes_none_of_it()
    {
        var (stream, client) = Connect();
        var waiting = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        Assert.False(waiting.IsCompleted);

        await client.WriteAsync("hello"u8.ToArray());
        Assert.Equal(0, await waiting.WaitAsync(Within));

        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Within);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task Disposing_ends_a_pending_zero_byte_read_and_every_read_after_it()
    {
        // The WebSocket aborts (keep-alive timeout) by disposing its stream. A zero-byte read that returns 0 tells it
        // "data is ready", so the real read it issues next must end too instead of waiting for a client that is gone.
        var (stream, _) = Connect();
        var waiting = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await stream.DisposeAsync();

        Assert.Equal(0, await waiting.WaitAsync(Within));
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Within));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(Within));
    }

    [Fact]
    public async Task A_write_whose_pipe_was_completed_under_it_fails_as_the_connection_ending_and_frees_the_next_write()
    {
        // Kestrel completes the transport's writer from its own thread when the connection aborts; a write caught
        // between GetSpan and Advance then fails in Pipe.Advance. It must surface as an IOException (the connection
        // ended), which the writer and the WebSocket handle, not as an ArgumentOutOfRangeException that crashes the request.
        var stream = new BatchingStream(new Pipe().Reader, new CompletedUnderUs());
        var queue = new FrameQueue(capacity: 4);
        queue.TryWrite(new OutgoingFrame(System.Net.WebSockets.WebSocketMessageType.Text, "hello"u8.ToArray()));
        var frames = new FrameSource(queue, max: 4);
        frames.Reset();

        var framed = await Assert.ThrowsAsync<IOException>(() => stream.WriteFramesAsync(frames, CancellationToken.None).AsTask().WaitAsync(Within));
        Assert.IsType<ArgumentOutOfRangeException>(framed.InnerException);
        var own = await Assert.ThrowsAsync<IOException>(() => stream.WriteAsync("pong"u8.ToArray()).AsTask().WaitAsync(Within)); // the gate was released
        Assert.IsType<ArgumentOutOfRangeException>(own.InnerException);
    }

    /// <summary>A transport writer that another thread completed between a caller's GetSpan and its Advance.</summary>
    private sealed class CompletedUnderUs : PipeWriter
    {
        public override Span<byte> GetSpan(int sizeHint = 0) => new byte[Math.Max(sizeHint, 4096)];

        public override Memory<byte> GetMemory(int sizeHint = 0) => new byte[Math.Max(sizeHint, 4096)];

        public override void Advance(int bytes) => throw new ArgumentOutOfRangeException(nameof(bytes));

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, true));

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }

    private static (BatchingStream Stream, PipeWriter Client) Connect()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        return (new BatchingStream(fromClient.Reader, toClient.Writer), fromClient.Writer);
    }
}
