using System.IO.Pipelines;
using ActorChat.Consumers.Hosting;

namespace ActorChat.Consumers.Tests;

/// <summary>The read side of the stream a connection's WebSocket runs on, over real pipes.</summary>
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

    private static (BatchingStream Stream, PipeWriter Client) Connect()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        return (new BatchingStream(fromClient.Reader, toClient.Writer), fromClient.Writer);
    }
}
