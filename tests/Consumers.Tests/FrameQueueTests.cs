using System.Net.WebSockets;
using ActorChat.Consumers.Hosting;

namespace ActorChat.Consumers.Tests;

public sealed class FrameQueueTests
{
    private static OutgoingFrame Frame(int n) => new(WebSocketMessageType.Text, BitConverter.GetBytes(n));

    private static int Number(OutgoingFrame frame) => BitConverter.ToInt32(frame.Payload.Span);

    [Fact]
    public void A_queue_that_was_never_sent_a_frame_holds_no_storage()
    {
        // Every connection has one; in a quiet room it may never be sent anything. The queue's storage (a
        // ConcurrentQueue segment of 32 frames, about 1.5 KB) comes with the first frame.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var queue = new FrameQueue(512, wakeAtBackOfQueue: true);
        var idle = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(idle, 1, 256);

        Assert.False(queue.TryRead(out _));
        Assert.True(queue.TryWrite(Frame(7)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before > 1024); // the storage, now that a frame came
        Assert.True(queue.TryRead(out var frame));
        Assert.Equal(7, Number(frame));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_idle_writer_wakes_for_a_frame_and_frames_come_out_in_order(bool wakeAtBackOfQueue)
    {
        var queue = new FrameQueue(10, wakeAtBackOfQueue);
        var waiting = queue.WaitToReadAsync();
        Assert.False(waiting.IsCompleted);
        Assert.True(queue.TryWrite(Frame(1)));
        Assert.True(queue.TryWrite(Frame(2)));
        Assert.True(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.True(queue.TryRead(out var first));
        Assert.True(queue.TryRead(out var second));
        Assert.Equal([1, 2], [Number(first), Number(second)]);
        Assert.False(queue.TryRead(out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_producer_never_runs_the_writer_on_its_own_stack(bool wakeAtBackOfQueue)
    {
        // A room fans out on its own thread: if a wake-up ran the writer inline, one member's socket write would
        // hold up every member after it.
        var queue = new FrameQueue(10, wakeAtBackOfQueue);
        using var insideTryWrite = new ThreadLocal<bool>(); // true only on the producer's thread, only during TryWrite
        var waiting = queue.WaitToReadAsync();
        async Task<bool> WriterRanInsideTryWrite()
        {
            await waiting.ConfigureAwait(false); // as the bridge's writer does: no context to post the continuation to
            return insideTryWrite.Value;
        }

        var writer = WriterRanInsideTryWrite();
        insideTryWrite.Value = true;
        Assert.True(queue.TryWrite(Frame(1)));
        insideTryWrite.Value = false;
        Assert.False(await writer.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_full_queue_refuses_until_a_frame_is_read()
    {
        var queue = new FrameQueue(2);
        Assert.True(queue.TryWrite(Frame(1)));
        Assert.True(queue.TryWrite(Frame(2)));
        Assert.False(queue.TryWrite(Frame(3)));
        Assert.True(queue.TryRead(out _));
        Assert.True(queue.TryWrite(Frame(3)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_completed_queue_takes_nothing_drains_what_it_has_and_then_ends_the_writer(bool wakeAtBackOfQueue)
    {
        var queue = new FrameQueue(10, wakeAtBackOfQueue);
        queue.TryWrite(Frame(1));
        queue.Complete();
        Assert.True(queue.IsCompleted);
        Assert.False(queue.TryWrite(Frame(2)));
        Assert.True(await queue.WaitToReadAsync());
        Assert.True(queue.TryRead(out var last));
        Assert.Equal(1, Number(last));
        Assert.False(await queue.WaitToReadAsync());

        var idle = new FrameQueue(10, wakeAtBackOfQueue);
        var waiting = idle.WaitToReadAsync();
        idle.Complete(); // wakes the idle writer
        Assert.True(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.False(await idle.WaitToReadAsync());
    }

    [Fact]
    public async Task Concurrent_producers_lose_nothing_and_keep_each_producers_order()
    {
        var queue = new FrameQueue(1_000_000);
        const int producers = 4, each = 50_000;
        var reading = Task.Run(async () =>
        {
            var seen = new List<int>();
            while (seen.Count < producers * each && await queue.WaitToReadAsync())
            {
                while (queue.TryRead(out var frame))
                {
                    seen.Add(Number(frame));
                }
            }

            return seen;
        });
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                Assert.True(queue.TryWrite(Frame(p * 1_000_000 + i)));
            }
        })));
        var all = await reading.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(producers * each, all.Count);
        foreach (var byProducer in all.GroupBy(n => n / 1_000_000))
        {
            Assert.Equal(Enumerable.Range(0, each), byProducer.Select(n => n % 1_000_000));
        }
    }

    [Fact]
    public async Task An_idle_writer_is_never_left_asleep_by_a_racing_write_or_complete()
    {
        // A guard for the fences in WaitToReadAsync and Complete: a lost wake-up would leave this waiting forever.
        for (var i = 0; i < 5_000; i++)
        {
            var queue = new FrameQueue(10);
            var start = new Barrier(2);
            var producer = Task.Run(() =>
            {
                start.SignalAndWait();
                if (i % 2 == 0)
                {
                    queue.TryWrite(Frame(i));
                }
                else
                {
                    queue.Complete();
                }
            });
            start.SignalAndWait();
            var woke = await queue.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            await producer;
            Assert.True(woke || queue.IsCompleted);
            Assert.True(i % 2 == 1 || queue.TryRead(out _), $"iteration {i}: the frame was lost");
        }
    }
}
