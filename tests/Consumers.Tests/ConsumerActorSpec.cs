using Akka.Actor;
using Akka.Event;

namespace ActorChat.Consumers.Tests;

/// <summary>A consumer is an ordinary Akka actor: it watches, stashes, tells and asks the application's actors.</summary>
public sealed class ConsumerActorSpec : ConsumerTestKit
{
    /// <summary>Watches the actor it is given and tells its client when that actor stops.</summary>
    private sealed class Watching(IActorRef subject) : WebSocketConsumer
    {
        protected override async Task OnConnectAsync()
        {
            Context.Watch(subject);
            await AcceptAsync();
        }

        protected override Task OnActorMessageAsync(object message) => message is Terminated terminated
            ? SendAsync($"gone:{terminated.ActorRef.Path.Name}")
            : base.OnActorMessageAsync(message);
    }

    /// <summary>Asks a service actor for every text it receives and sends the answer back.</summary>
    private sealed class Asking(IActorRef service) : WebSocketConsumer
    {
        protected override async Task OnReceiveAsync(string text)
        {
            var answer = await service.Ask<string>(text, TimeSpan.FromSeconds(3));
            await SendAsync($"{answer} (from {Self.Path.Name})"); // Self after an await: the hook runs on the actor again
        }
    }

    /// <summary>While paused, stashes the application's notes; on resume, sends them in order.</summary>
    private sealed class Stashing : WebSocketConsumer, IWithStash
    {
        private bool _paused;

        public IStash Stash { get; set; } = null!;

        protected override Task OnReceiveAsync(string text)
        {
            _paused = text == "pause";
            if (!_paused)
            {
                Stash.UnstashAll();
            }

            return Task.CompletedTask;
        }

        protected override Task OnActorMessageAsync(object message)
        {
            if (message is not string note)
            {
                return base.OnActorMessageAsync(message);
            }

            if (_paused)
            {
                Stash.Stash();
                return Task.CompletedTask;
            }

            return SendAsync(note);
        }
    }

    /// <summary>Sends start and end frames around a hook that may wait on a gate.</summary>
    private sealed class OneAtATime(Task gate) : WebSocketConsumer
    {
        protected override async Task OnReceiveAsync(string text)
        {
            await SendAsync("start:" + text);
            if (text == "slow")
            {
                await gate;
            }

            await SendAsync("end:" + text);
        }
    }

    [Fact]
    public async Task A_consumer_can_watch_another_actor_and_hears_when_it_stops()
    {
        var subject = CreateTestProbe("subject");
        await using var client = Communicator(() => new Watching(subject.Ref), "/ws/");
        Assert.True((await client.ConnectAsync()).Accepted);

        Sys.Stop(subject.Ref);
        Assert.Equal("gone:subject", (await client.ReceiveFromAsync()).Text);
        await client.ReceiveNothingAsync();
    }

    [Fact]
    public async Task An_unhandled_Terminated_ends_the_consumer_with_a_death_pact_and_closes_1011()
    {
        var subject = CreateTestProbe();
        await using var client = Communicator(() => new WatchingWithoutHandler(subject.Ref), "/ws/");
        await client.ConnectAsync();
        await EventFilter.Exception<DeathPactException>().ExpectOneAsync(() =>
        {
            Sys.Stop(subject.Ref);
            return Task.CompletedTask;
        });
        Assert.Equal(CloseCodes.InternalError, await client.ReceiveCloseAsync());
    }

    private sealed class WatchingWithoutHandler(IActorRef subject) : WebSocketConsumer
    {
        protected override async Task OnConnectAsync()
        {
            Context.Watch(subject);
            await AcceptAsync();
        }
    }

    [Fact]
    public async Task A_consumer_asks_an_application_actor_and_a_probe_can_stand_in_for_it()
    {
        var service = CreateTestProbe();
        await using var client = Communicator(() => new Asking(service.Ref), "/ws/");
        await client.ConnectAsync();

        await client.SendToAsync("hello");
        Assert.Equal("hello", await service.ExpectMsgAsync<string>());
        service.Reply("HELLO");
        Assert.Equal($"HELLO (from {client.Consumer.Path.Name})", (await client.ReceiveFromAsync()).Text);
    }

    [Fact]
    public async Task A_consumer_can_stash_messages_and_unstash_them_in_order()
    {
        await using var client = Communicator<Stashing>("/ws/");
        await client.ConnectAsync();

        await client.SendToAsync("pause");
        client.Consumer.Tell("one");
        client.Consumer.Tell("two");
        await client.ReceiveNothingAsync();

        await client.SendToAsync("resume");
        Assert.Equal("one", (await client.ReceiveFromAsync()).Text);
        Assert.Equal("two", (await client.ReceiveFromAsync()).Text);
        client.Consumer.Tell("three");
        Assert.Equal("three", (await client.ReceiveFromAsync()).Text);
    }

    [Fact]
    public async Task The_next_event_waits_until_an_async_hook_has_completed()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = Communicator(() => new OneAtATime(gate.Task), "/ws/");
        await client.ConnectAsync();

        await client.SendToAsync("slow");
        await client.SendToAsync("fast");
        Assert.Equal("start:slow", (await client.ReceiveFromAsync()).Text);
        await client.ReceiveNothingAsync(TimeSpan.FromMilliseconds(200)); // "fast" has not started

        gate.SetResult();
        Assert.Equal(["end:slow", "start:fast", "end:fast"], [(await client.ReceiveFromAsync()).Text, (await client.ReceiveFromAsync()).Text, (await client.ReceiveFromAsync()).Text]);
    }

    /// <summary>Throws on "boom" after an await, or at once on "bang".</summary>
    private sealed class LateThrower : WebSocketConsumer
    {
        protected override async Task OnReceiveAsync(string text)
        {
            if (text == "bang")
            {
                throw new InvalidOperationException("at once");
            }

            await Task.Yield();
            await SendAsync("resumed on " + Self.Path.Name);
            throw new InvalidOperationException("after an await");
        }
    }

    [Theory]
    [InlineData("boom", "after an await")]
    [InlineData("bang", "at once")]
    public async Task A_hook_that_fails_before_or_after_an_await_closes_1011_and_the_next_event_is_never_handled(string text, string failure)
    {
        await using var client = Communicator<LateThrower>("/ws/");
        await client.ConnectAsync();
        await EventFilter.Exception<InvalidOperationException>(contains: failure).ExpectOneAsync(async () =>
        {
            await client.SendToAsync(text);
            await client.SendToAsync("never handled");
            if (text == "boom")
            {
                Assert.Equal("resumed on " + client.Consumer.Path.Name, (await client.ReceiveFromAsync()).Text);
            }
        });
        Assert.Equal(CloseCodes.InternalError, await client.ReceiveCloseAsync());
        await client.ReceiveNothingAsync();
    }

    [Fact]
    public async Task A_message_the_consumer_does_not_handle_is_published_as_unhandled_and_the_consumer_goes_on()
    {
        await using var client = Communicator(() => new Asking(TestActor), "/ws/");
        await client.ConnectAsync();
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        client.Consumer.Tell(42);
        Assert.Equal(42, (await ExpectMsgAsync<UnhandledMessage>()).Message);

        await client.SendToAsync("still there?");
        Assert.Equal("still there?", await ExpectMsgAsync<string>());
        LastSender.Tell("yes");
        Assert.StartsWith("yes", (await client.ReceiveFromAsync()).Text);
    }
}
