namespace ActorChat.Actors.Tests;

public sealed class DeathWatchSpec : TestKit.TestKit
{
    private sealed class Idle : ReceiveActor
    {
        public Idle() => ReceiveAny(_ => { });
    }

    /// <summary>Reports its own life-cycle to a probe, and starts children on request.</summary>
    private sealed class Reporter : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly string _label;

        public Reporter(IActorRef probe, string label)
        {
            _probe = probe;
            _label = label;
            Receive<string>(name => Sender.Tell(Context.ActorOf(Props.Create(() => new Reporter(probe, name)), name)));
        }

        protected override void PostStop() => _probe.Tell("stopped:" + _label);
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef probe)
        {
            Receive<IActorRef>(subject => { Context.Watch(subject); Sender.Tell("watching"); });
            Receive<Terminated>(t => probe.Tell(t));
        }
    }

    [Fact]
    public async Task DeathWatch_should_deliver_one_Terminated_when_an_actor_stops()
    {
        var subject = Sys.ActorOf(Props.Create<Idle>());
        await TestActor.WatchAsync(subject);
        await TestActor.WatchAsync(subject); // watching twice still means one notification
        Sys.Stop(subject);
        Assert.Same(subject, (await TestActor.ExpectTerminatedAsync(subject)).ActorRef);
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task DeathWatch_should_deliver_Terminated_when_the_actor_was_already_dead()
    {
        var subject = Sys.ActorOf(Props.Create<Idle>());
        var first = CreateTestProbe();
        await first.WatchAsync(subject);
        subject.Tell(PoisonPill.Instance);
        await first.ExpectTerminatedAsync(subject);

        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor.Ref)));
        Assert.Equal("watching", await watcher.Ask<string>(subject));
        Assert.Same(subject, (await TestActor.ExpectMsgAsync<Terminated>()).ActorRef);
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Unwatch_means_no_Terminated_arrives()
    {
        var subject = Sys.ActorOf(Props.Create<Idle>());
        await TestActor.WatchAsync(subject);
        await TestActor.UnwatchAsync(subject);
        var other = CreateTestProbe();
        await other.WatchAsync(subject);
        Sys.Stop(subject);
        await other.ExpectTerminatedAsync(subject);
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task An_unhandled_Terminated_stops_the_watcher_with_a_DeathPactException()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(ActorFailed));
        var subject = Sys.ActorOf(Props.Create<Idle>());
        var watcher = Sys.ActorOf(Props.Create(() => new PactMaker(subject)));
        var observer = CreateTestProbe();
        await observer.WatchAsync(watcher);
        Sys.Stop(subject);
        var failed = await TestActor.ExpectMsgAsync<ActorFailed>();
        Assert.IsType<DeathPactException>(failed.Cause);
        Assert.Same(watcher, failed.Actor);
        await observer.ExpectTerminatedAsync(watcher);
    }

    private sealed class PactMaker : ReceiveActor
    {
        public PactMaker(IActorRef subject)
        {
            Context.Watch(subject);
            Receive<string>(_ => { });
        }
    }

    [Fact]
    public async Task A_child_stops_with_its_parent_and_stops_first()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Reporter(TestActor.Ref, "parent")));
        var child = await parent.Ask<IActorRef>("child");
        var grandchild = await child.Ask<IActorRef>("grandchild");
        Assert.EndsWith("/child/grandchild", grandchild.Path.ToString());

        Sys.Stop(parent);
        Assert.Equal("stopped:grandchild", await TestActor.ExpectMsgAsync<string>());
        Assert.Equal("stopped:child", await TestActor.ExpectMsgAsync<string>());
        Assert.Equal("stopped:parent", await TestActor.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task System_shutdown_stops_every_actor()
    {
        var system = ActorSystem.Create("shutdown");
        for (var i = 0; i < 50; i++)
        {
            var label = i;
            var parent = system.ActorOf(Props.Create(() => new Reporter(TestActor.Ref, "p" + label)));
            await parent.Ask<IActorRef>("c" + label);
        }

        await system.Terminate().WaitAsync(TestKitSettings.DefaultTimeout);
        var stopped = (await TestActor.ReceiveNAsync(100)).Cast<string>().ToHashSet();
        Assert.Equal(100, stopped.Count);
        Assert.True(system.IsTerminated);
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create<Idle>()));
    }
}
