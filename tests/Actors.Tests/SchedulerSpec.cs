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
        var repeating = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(30), TestActor.Ref, "tick");
        var ticks = await TestActor.ReceiveNAsync(4);
        Assert.All(ticks, t => Assert.Equal("tick", t));
        repeating.Cancel();
        // A tick already on its way may still land; after that there are none.
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)).ContinueWith(_ => { });
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Bad_intervals_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor.Ref, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.Zero, TestActor.Ref, "x"));
    }
}
