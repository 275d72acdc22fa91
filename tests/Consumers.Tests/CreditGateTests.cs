using ActorChat.Consumers.Hosting;

namespace ActorChat.Consumers.Tests;

public sealed class CreditGateTests
{
    [Fact]
    public async Task The_taker_waits_when_credits_run_out_and_a_return_wakes_it()
    {
        var gate = new CreditGate(2);
        Assert.True(gate.TakeAsync(default).IsCompleted);
        Assert.True(gate.TakeAsync(default).IsCompleted);
        var third = gate.TakeAsync(default).AsTask();
        Assert.False(third.IsCompleted);
        gate.Return();
        await third.WaitAsync(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Many_takes_and_returns_across_threads_never_lose_a_wake_up()
    {
        var gate = new CreditGate(4);
        var processed = System.Threading.Channels.Channel.CreateUnbounded<int>();
        var consumer = Task.Run(async () =>
        {
            await foreach (var _ in processed.Reader.ReadAllAsync())
            {
                gate.Return();
            }
        });
        for (var i = 0; i < 100_000; i++)
        {
            await gate.TakeAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            processed.Writer.TryWrite(i);
        }

        processed.Writer.Complete();
        await consumer;
    }
}
