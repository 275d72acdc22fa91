namespace ActorChat.Actors.Tests;

public sealed class SchedulerSpec : TestKit.TestKit
{
    [Fact]
    public async Task ScheduleTellOnce_delivers_exactly_once_after_the_delay()
    {
        var started = DateTime.UtcNow;
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor.Ref, "tick");
        Assert.Equal("tick", await TestActor.ExpectMsgAsync<string>());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(90));
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_cancelled_ScheduleTellOnce_never_fires()
    {
        var pending = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(150), TestActor.Ref, "tick");
        pending.Cancel();
        Assert.True(pending.IsCancellationRequested);
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task ScheduleTellRepeatedly_fires_until_cancelled()
    {
        // A hand-moved clock: with real timers a busy test host can leave ticks told before the cancel still in the
        // mailbox long after it, and a test of "no tick after cancel" would be a test of the host's load.
        var time = new ManualTime();
        await using var system = ActorSystem.Create("ticks", new ActorSystemOptions { TimeProvider = time });
        var probe = new TestProbe(system);
        var repeating = system.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), probe.Ref, "tick");
        time.Advance(TimeSpan.FromMilliseconds(999));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        time.Advance(TimeSpan.FromMilliseconds(1)); // 1 s: the first tick
        time.Advance(TimeSpan.FromSeconds(4)); // 3 s and 5 s
        Assert.Equal(["tick", "tick", "tick"], await probe.ReceiveNAsync(3));
        repeating.Cancel();
        Assert.True(repeating.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(10));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Bad_intervals_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor.Ref, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.Zero, TestActor.Ref, "x"));
    }
}
