namespace ActorChat.Actors.Tests;

public sealed class MessagingSpec : TestKit.TestKit
{
    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef target)
        {
            Receive<int>(n => target.Tell(n, Sender));
            Receive<string>(s => target.Forward("fwd:" + s));
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<string>(s => Sender.Tell(s.ToUpperInvariant()));
            Receive<int>(n => Sender.Tell(new Status.Failure(new InvalidOperationException("no ints " + n))));
            Receive<double>(_ => { }); // never replies
        }
    }

    private sealed class Toggle : ReceiveActor
    {
        public Toggle()
        {
            Receive<string>(_ => { Sender.Tell("off"); Become(On); });
        }

        private void On() => Receive<string>(_ => { Sender.Tell("on"); Become(() => Receive<string>(_ => Sender.Tell("done"))); });
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_the_order_sent()
    {
        var relay = Sys.ActorOf(Props.Create(() => new Relay(TestActor.Ref)));
        for (var i = 0; i < 2_000; i++)
        {
            relay.Tell(i);
        }

        var received = await TestActor.ReceiveNAsync(2_000);
        Assert.Equal(Enumerable.Range(0, 2_000), received.Cast<int>());
    }

    [Fact]
    public async Task Ordering_holds_per_sender_when_many_senders_interleave()
    {
        var relay = Sys.ActorOf(Props.Create(() => new Relay(TestActor.Ref)));
        const int senders = 8, each = 500;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                relay.Tell(s * 1_000_000 + i);
            }
        })));

        var received = (await TestActor.ReceiveNAsync(senders * each)).Cast<int>().ToList();
        foreach (var group in received.GroupBy(n => n / 1_000_000))
        {
            Assert.Equal(Enumerable.Range(0, each), group.Select(n => n % 1_000_000));
        }
    }

    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        Assert.Equal("HI", await echo.Ask<string>("hi"));
    }

    [Fact]
    public async Task Ask_without_a_reply_fails_with_a_timeout_that_names_target_and_message()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "silent");
        var ex = await Assert.ThrowsAsync<AskTimeoutException>(() => echo.Ask<string>(1.5, TimeSpan.FromMilliseconds(100)));
        Assert.Contains("silent", ex.Message);
        Assert.Contains("Double", ex.Message);
        Assert.Contains("100 ms", ex.Message);
    }

    [Fact]
    public async Task Ask_rethrows_a_Status_Failure_reply_and_rejects_a_reply_of_the_wrong_type()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => echo.Ask<string>(7));
        Assert.Equal("no ints 7", failure.Message);
        var wrong = await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("x"));
        Assert.Contains("expected a Int32 reply but got String", wrong.Message);
    }

    [Fact]
    public async Task Forward_keeps_the_original_sender()
    {
        var relay = Sys.ActorOf(Props.Create(() => new Relay(TestActor.Ref)));
        var origin = CreateTestProbe();
        origin.Send(relay, "x");
        Assert.Equal("fwd:x", await TestActor.ExpectMsgAsync<string>());
        Assert.Same(origin.Ref, TestActor.LastSender);
    }

    [Fact]
    public void Forward_outside_an_actor_fails_with_a_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TestActor.Ref.Forward("x"));
        Assert.Contains("only valid inside an actor", ex.Message);
    }

    [Fact]
    public async Task Become_replaces_the_behaviour_for_following_messages()
    {
        var toggle = Sys.ActorOf(Props.Create<Toggle>());
        Assert.Equal("off", await toggle.Ask<string>("a"));
        Assert.Equal("on", await toggle.Ask<string>("a"));
        Assert.Equal("done", await toggle.Ask<string>("a"));
        Assert.Equal("done", await toggle.Ask<string>("a"));
    }

    [Fact]
    public async Task An_unhandled_message_is_published_on_the_event_stream()
    {
        Sys.EventStream.Subscribe(TestActor.Ref, typeof(UnhandledMessage));
        var echo = Sys.ActorOf(Props.Create<Echo>());
        echo.Tell(new object());
        var unhandled = await TestActor.ExpectMsgAsync<UnhandledMessage>();
        Assert.Same(echo, unhandled.Recipient);
    }

    [Fact]
    public void Creating_an_actor_with_new_fails_with_a_message_that_names_the_fix()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new Echo());
        Assert.Contains("ActorOf(Props.Create", ex.Message);
    }

    [Fact]
    public void A_duplicate_or_reserved_child_name_is_rejected()
    {
        Sys.ActorOf(Props.Create<Echo>(), "twin");
        Assert.Contains("already exists", Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "twin")).Message);
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "$auto"));
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "a/b"));
    }

    [Fact]
    public void Paths_name_the_system_and_the_hierarchy()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "echo");
        Assert.Equal($"actorchat://{Sys.Name}/user/echo", echo.Path.ToString());
    }
}
