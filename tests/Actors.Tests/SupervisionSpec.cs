namespace ActorChat.Actors.Tests;

public sealed class SupervisionSpec : TestKit.TestKit
{
    /// <summary>Counts messages; "boom" throws, "count" replies with the count so far.</summary>
    private sealed class Counter : ReceiveActor
    {
        private int _count;

        public Counter(IActorRef probe)
        {
            Receive<string>(_ => throw new InvalidOperationException("boom"), s => s == "boom");
            Receive<string>(_ => Sender.Tell(_count), s => s == "count");
            Receive<int>(n => { _count += n; probe.Tell(n); });
            probe.Tell("created");
        }
    }

    /// <summary>A parent with a given strategy that starts one Counter child and hands out its ref.</summary>
    private sealed class Parent : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public Parent(IActorRef probe, SupervisorStrategy strategy)
        {
            _strategy = strategy;
            var child = Context.ActorOf(Props.Create(() => new Counter(probe)), "child");
            Receive<string>(_ => Sender.Tell(child), s => s == "child");
        }

        protected override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private static SupervisorStrategy Always(Directive directive) => new OneForOneStrategy(_ => directive);

    private async Task<IActorRef> StartChild(SupervisorStrategy strategy)
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(TestActor.Ref, strategy)));
        await TestActor.ExpectMsgAsync("created");
        return await parent.Ask<IActorRef>("child");
    }

    [Fact]
    public async Task Resume_keeps_the_state_and_drops_only_the_failing_message()
    {
        var child = await StartChild(Always(Directive.Resume));
        child.Tell(5);
        child.Tell("boom");
        child.Tell(7);
        await TestActor.ExpectMsgAsync(5);
        await TestActor.ExpectMsgAsync(7);
        Assert.Equal(12, await child.Ask<int>("count"));
        await TestActor.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Restart_makes_a_fresh_instance_and_keeps_the_queued_messages()
    {
        var child = await StartChild(Always(Directive.Restart));
        child.Tell(5);
        child.Tell("boom");
        child.Tell(7);
        child.Tell(9);
        await TestActor.ExpectMsgAsync(5);
        await TestActor.ExpectMsgAsync("created");
        await TestActor.ExpectMsgAsync(7);
        await TestActor.ExpectMsgAsync(9);
        Assert.Equal(16, await child.Ask<int>("count"));
    }

    [Fact]
    public async Task Stop_ends_the_child_and_its_queued_messages_become_dead_letters()
    {
        var child = await StartChild(Always(Directive.Stop));
        await TestActor.WatchAsync(child);
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(DeadLetter));
        child.Tell("boom");
        await TestActor.ExpectTerminatedAsync(child);
        child.Tell(3);
        Assert.Equal(3, (await TestActor.ExpectMsgAsync<DeadLetter>()).Message);
    }

    [Fact]
    public async Task Escalate_lets_the_grandparent_decide_and_its_restart_replaces_the_subtree()
    {
        // The top-level Parent escalates; the guardian's default strategy restarts the Parent,
        // whose default PreRestart stops the old child; the new Parent makes a new child.
        var child = await StartChild(Always(Directive.Escalate));
        await TestActor.WatchAsync(child);
        child.Tell(1);
        await TestActor.ExpectMsgAsync(1);
        child.Tell("boom");
        // The old child's Terminated and the new child's "created" come from different actors, so, as in Akka, their
        // order is not guaranteed: the watcher queues the Terminated behind whatever is already in its mailbox.
        var received = await TestActor.ReceiveNAsync(2);
        Assert.Single(received.OfType<Terminated>(), t => t.ActorRef == child);
        Assert.Single(received.OfType<string>(), s => s == "created");
    }

    [Fact]
    public async Task The_default_strategy_restarts_and_the_restart_limit_then_stops_the_child()
    {
        var limited = new OneForOneStrategy(2, TimeSpan.FromMinutes(1), SupervisorStrategy.DefaultDecider);
        var child = await StartChild(limited);
        await TestActor.WatchAsync(child);
        for (var restart = 0; restart < 2; restart++)
        {
            child.Tell("boom");
            await TestActor.ExpectMsgAsync("created");
        }

        child.Tell("boom");
        await TestActor.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task The_restart_window_forgets_old_failures()
    {
        var time = new ManualTime();
        await using var system = ActorSystem.Create("window", new ActorSystemOptions { TimeProvider = time });
        var probe = new TestProbe(system);
        var strategy = new OneForOneStrategy(1, TimeSpan.FromSeconds(10), SupervisorStrategy.DefaultDecider);
        var parent = system.ActorOf(Props.Create(() => new Parent(probe.Ref, strategy)));
        await probe.ExpectMsgAsync("created");
        var child = await parent.Ask<IActorRef>("child");
        for (var i = 0; i < 3; i++)
        {
            child.Tell("boom");
            await probe.ExpectMsgAsync("created");
            time.Advance(TimeSpan.FromSeconds(11));
        }
    }

    [Fact]
    public async Task Kill_stops_the_actor_under_the_default_strategy()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(ActorFailed));
        var actor = Sys.ActorOf(Props.Create(() => new Counter(TestActor.Ref)));
        await TestActor.ExpectMsgAsync("created");
        await TestActor.WatchAsync(actor);
        actor.Tell(Kill.Instance);
        Assert.IsType<ActorKilledException>((await TestActor.ExpectMsgAsync<ActorFailed>()).Cause);
        await TestActor.ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task A_failure_is_published_with_the_actor_and_logged_with_its_path()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = ActorSystem.Create("logging", new ActorSystemOptions { LoggerFactory = logs });
        var probe = new TestProbe(system);
        system.EventStream.Subscribe(probe.Ref, typeof(ActorFailed));
        var actor = system.ActorOf(Props.Create(() => new Counter(probe.Ref)), "fragile");
        await probe.ExpectMsgAsync("created");
        actor.Tell("boom");
        var failed = await probe.ExpectMsgAsync<ActorFailed>();
        Assert.Equal("boom", failed.Cause.Message);
        Assert.Equal("boom", failed.Message);
        await TestProbe.AwaitAssertAsync(() => Assert.Contains(logs.Lines, l => l.Contains("/user/fragile") && l.Contains("boom")));
        await probe.ExpectMsgAsync("created"); // restarted, the node goes on
    }

    [Fact]
    public async Task A_constructor_that_throws_stops_the_actor_with_an_initialization_error()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(ActorFailed));
        var broken = Sys.ActorOf(Props.FromFactory<Counter>(() => throw new InvalidOperationException("no ctor")));
        var failed = await TestActor.ExpectMsgAsync<ActorFailed>();
        var init = Assert.IsType<ActorInitializationException>(failed.Cause);
        Assert.Equal("no ctor", init.InnerException!.Message);
        await TestActor.WatchAsync(broken);
        await TestActor.ExpectTerminatedAsync(broken);
    }
}
