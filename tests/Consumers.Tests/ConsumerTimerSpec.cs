using Akka.Actor;
using Akka.Configuration;

namespace ActorChat.Consumers.Tests;

/// <summary>A consumer's timers, on Akka's TestScheduler: the test moves time, so nothing waits for a real clock.</summary>
public sealed class ConsumerTimerSpec() : ConsumerTestKit(config: ConfigurationFactory.ParseString(
    """akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """))
{
    private sealed record Tick;

    /// <summary>Sends "tick n" every second once accepted, and stops ticking on "stop".</summary>
    private sealed class Ticking : WebSocketConsumer, IWithTimers
    {
        private int _ticks;

        public ITimerScheduler Timers { get; set; } = null!;

        protected override async Task OnConnectAsync()
        {
            await AcceptAsync();
            Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
        }

        protected override Task OnReceiveAsync(string text)
        {
            if (text == "stop")
            {
                Timers.Cancel("tick");
            }

            return Task.CompletedTask;
        }

        protected override Task OnActorMessageAsync(object message) =>
            message is Tick ? SendAsync($"tick {++_ticks}") : base.OnActorMessageAsync(message);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task A_consumer_timer_fires_as_the_scheduler_advances_and_stops_when_cancelled()
    {
        await using var client = Communicator<Ticking>("/ws/");
        await client.ConnectAsync();
        await client.ReceiveNothingAsync();

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick 1", (await client.ReceiveFromAsync()).Text);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick 2", (await client.ReceiveFromAsync()).Text);

        await client.SendToAsync("stop");
        await AwaitAssertAsync(async () =>
        {
            Scheduler.Advance(TimeSpan.FromSeconds(5));
            await client.ReceiveNothingAsync(TimeSpan.FromMilliseconds(50));
        });
    }
}
