namespace ActorChat.Actors.Tests;

public sealed class AsyncAndStopSpec : TestKit.TestKit
{
    /// <summary>"hold" awaits the gate it is given; ints are reported. Tracks handlers running at once.</summary>
    private sealed class Gated : ReceiveActor
    {
        private int _running;

        public Gated(IActorRef probe)
        {
            ReceiveAsync<TaskCompletionSource>(async gate =>
            {
                var now = Interlocked.Increment(ref _running);
                probe.Tell("began:" + now);
                await gate.Task;
                Interlocked.Decrement(ref _running);
                probe.Tell("ended");
            });
            ReceiveAsync<int>(async n =>
            {
                await Task.Yield();
                probe.Tell(n);
            });
            Receive<string>(_ => throw new InvalidOperationException("async boom"), s => s == "fail-after-await");
        }

        protected override void PostStop() => Context.System.EventStream.Publish("poststop");
    }

    private IActorRef StartGated() => Sys.ActorOf(Props.Create(() => new Gated(TestActor.Ref)));

    [Fact]
    public async Task ReceiveAsync_does_not_start_the_next_message_until_the_task_completes()
    {
        var actor = StartGated();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(first);
        actor.Tell(second);
        actor.Tell(42);
        await TestActor.ExpectMsgAsync("began:1");
        await TestActor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        first.SetResult();
        await TestActor.ExpectMsgAsync("ended");
        await TestActor.ExpectMsgAsync("began:1"); // never "began:2": handlers did not overlap
        second.SetResult();
        await TestActor.ExpectMsgAsync("ended");
        await TestActor.ExpectMsgAsync(42);
    }

    [Fact]
    public async Task A_faulted_async_handler_fails_the_actor_like_a_throw()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(ActorFailed));
        var actor = Sys.ActorOf(Props.Create(() => new FailingAsync()));
        actor.Tell("go");
        var failed = await TestActor.ExpectMsgAsync<ActorFailed>();
        Assert.Equal("after await", failed.Cause.Message);
        Assert.Equal("pong", await actor.Ask<string>("ping")); // restarted and serving
    }

    private sealed class FailingAsync : ReceiveActor
    {
        public FailingAsync()
        {
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("after await");
            }, s => s == "go");
            Receive<string>(_ => Sender.Tell("pong"));
        }
    }

    [Fact]
    public async Task PoisonPill_stops_after_the_messages_queued_before_it()
    {
        var actor = StartGated();
        await TestActor.WatchAsync(actor);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(gate);
        await TestActor.ExpectMsgAsync("began:1");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(PoisonPill.Instance);
        actor.Tell(3);
        gate.SetResult();
        await TestActor.ExpectMsgAsync("ended");
        await TestActor.ExpectMsgAsync(1);
        await TestActor.ExpectMsgAsync(2);
        await TestActor.ExpectTerminatedAsync(actor);
        await TestActor.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Stop_jumps_the_queue_and_the_skipped_messages_become_dead_letters()
    {
        var actor = StartGated();
        await TestActor.WatchAsync(actor);
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(gate);
        await TestActor.ExpectMsgAsync("began:1");
        actor.Tell(1);
        actor.Tell(2);
        Sys.Stop(actor);
        gate.SetResult();
        await TestActor.ExpectMsgAsync("ended"); // the running handler finishes first
        await TestActor.ExpectTerminatedAsync(actor);
        var dead = await deadLetters.ReceiveNAsync(2);
        Assert.Equal([1, 2], dead.Cast<DeadLetter>().Select(d => (int)d.Message));
        Assert.All(dead.Cast<DeadLetter>(), d => Assert.Same(actor, d.Recipient));
    }

    [Fact]
    public async Task A_message_to_a_stopped_actor_is_a_dead_letter_on_the_event_stream()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(DeadLetter));
        var actor = StartGated();
        var watcher = CreateTestProbe();
        await watcher.WatchAsync(actor);
        Sys.Stop(actor);
        await watcher.ExpectTerminatedAsync(actor);
        actor.Tell("late", watcher.Ref);
        var dead = await TestActor.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("late", dead.Message);
        Assert.Same(watcher.Ref, dead.Sender);
        Assert.Same(actor, dead.Recipient);

        Sys.DeadLetters.Tell("direct");
        Assert.Equal("direct", (await TestActor.ExpectMsgAsync<DeadLetter>()).Message);
    }

    [Fact]
    public async Task A_bounded_mailbox_turns_overflow_into_dead_letters()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(DeadLetter));
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(2)));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(gate);
        await probe.ExpectMsgAsync("began:1");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(3); // over capacity
        Assert.Equal(3, (await TestActor.ExpectMsgAsync<DeadLetter>()).Message);
        gate.SetResult();
        await probe.ExpectMsgAsync("ended");
        await probe.ExpectMsgAsync(1);
        await probe.ExpectMsgAsync(2);
    }

    [Fact]
    public async Task A_bounded_mailbox_can_drop_the_oldest_instead()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(DeadLetter));
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Gated(probe.Ref)).WithMailbox(MailboxOptions.Bounded(2, MailboxOverflow.DropOldest)));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(gate);
        await probe.ExpectMsgAsync("began:1");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(3);
        Assert.Equal(1, (await TestActor.ExpectMsgAsync<DeadLetter>()).Message);
        gate.SetResult();
        await probe.ExpectMsgAsync("ended");
        await probe.ExpectMsgAsync(2);
        await probe.ExpectMsgAsync(3);
    }

    [Fact]
    public async Task TryTell_refuses_without_dead_letters_when_full_and_reports_a_stopped_actor()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(DeadLetter));
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Gated(probe.Ref)));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(gate);
        await probe.ExpectMsgAsync("began:1");
        Assert.Equal(TellResult.Delivered, actor.TryTell(1, maxQueued: 2));
        Assert.Equal(TellResult.Delivered, actor.TryTell(2, maxQueued: 2));
        Assert.Equal(TellResult.Full, actor.TryTell(3, maxQueued: 2));
        await TestActor.ExpectNoMsgAsync();
        gate.SetResult();
        await probe.ExpectMsgAsync("ended");
        await probe.ExpectMsgAsync(1);
        await probe.ExpectMsgAsync(2);

        await probe.WatchAsync(actor);
        Sys.Stop(actor);
        await probe.ExpectTerminatedAsync(actor);
        Assert.Equal(TellResult.Stopped, actor.TryTell(4, maxQueued: 2));
        await TestActor.ExpectNoMsgAsync();
    }
}
