using System.Net.WebSockets;
using System.Text.Json;
using Akka.Event;

namespace ActorChat.Consumers.Tests;

public sealed class ConsumerSpec : ConsumerTestKit
{
    [ChannelMessageType("test.echo")]
    private sealed record EchoRequest(string Text);

    /// <summary>Accepts, joins "watchers", and answers layer messages three ways.</summary>
    private sealed class Watcher : JsonWebSocketConsumer
    {
        public Watcher() => Handle("test.coded", m => SendJsonAsync(new { coded = m.Get<string>("text") }));

        protected override IEnumerable<string> Groups => ["watchers"];

        protected override Task OnReceiveJsonAsync(JsonElement content) => content.GetProperty("to").GetString() is { } to
            ? SendToChannelAsync(to, new EchoRequest(content.GetProperty("text").GetString()!))
            : Task.CompletedTask;

        [Handles("test.echo")]
        private Task OnEcho(EchoRequest request) => SendJsonAsync(new { echoed = request.Text });

        [Handles("test.raw")]
        private Task OnRaw(ChannelMessage message) => SendFieldsAsync(message);

        [Handles("test.whoami")]
        private Task OnWhoAmI(ChannelMessage message) => SendJsonAsync(new { channel = ChannelName, room = Scope.Route["room"], q = Scope.Query["q"].ToString() });

        /// <summary>What "test.busy" waits for: a consumer busy for a moment, as on a loaded machine.</summary>
        public static Task Gate { get; set; } = Task.CompletedTask;

        [Handles("test.busy")]
        private async Task OnBusy(ChannelMessage message)
        {
            await Gate;
            await SendJsonAsync(new { busy = false });
        }

        [Handles("test.crash")]
        private void OnCrash(ChannelMessage message) => throw new InvalidOperationException("handler blew up");
    }

    private sealed class Refuser : WebSocketConsumer
    {
        protected override Task OnConnectAsync() => CloseAsync(4003, "no");
    }

    private sealed class Denier : WebSocketConsumer
    {
        protected override Task OnConnectAsync() => throw new DenyConnectionException("not you");
    }

    private sealed class ProtocolPicker : WebSocketConsumer
    {
        protected override Task OnConnectAsync() => AcceptAsync(Scope.Subprotocols.Last());
    }

    private sealed class Lenient : JsonWebSocketConsumer
    {
        protected override bool SendErrorFrames => true;

        protected override Task OnReceiveJsonAsync(JsonElement content) => SendJsonAsync(new { got = content.GetRawText() });
    }

    private sealed class EagerSender : WebSocketConsumer
    {
        protected override Task OnConnectAsync() => SendAsync("too early");
    }

    [Fact]
    public async Task A_consumer_accepts_by_default_and_can_choose_a_subprotocol()
    {
        await using var plain = Communicator<Watcher>("/ws/");
        Assert.Equal(new ConnectResult(true, null, null), await plain.ConnectAsync());

        await using var picky = Communicator<ProtocolPicker>("/ws/", subprotocols: ["v1.chat", "v2.chat"]);
        Assert.Equal(new ConnectResult(true, "v2.chat", null), await picky.ConnectAsync());
    }

    [Fact]
    public async Task A_consumer_that_closes_or_denies_during_connect_refuses_with_its_code()
    {
        await using var refused = Communicator<Refuser>("/ws/");
        Assert.Equal(new ConnectResult(false, null, 4003), await refused.ConnectAsync());

        await using var denied = Communicator<Denier>("/ws/");
        Assert.Equal(new ConnectResult(false, null, CloseCodes.PolicyViolation), await denied.ConnectAsync());
    }

    [Fact]
    public async Task Groups_are_joined_at_connect_and_left_at_disconnect()
    {
        var alice = Communicator<Watcher>("/ws/");
        var bob = Communicator<Watcher>("/ws/");
        await alice.ConnectAsync();
        await bob.ConnectAsync();
        Assert.Equal(2, (await Layer.GroupMembersAsync("watchers")).Count);

        await alice.DisconnectAsync();
        Assert.Single(await Layer.GroupMembersAsync("watchers"));
        await bob.DisconnectAsync();
        Assert.Empty(await Layer.GroupMembersAsync("watchers"));
    }

    [Fact]
    public async Task Layer_messages_are_dispatched_by_type_to_attribute_and_code_handlers()
    {
        await using var watcher = Communicator<Watcher>("/ws/rooms/blue/?q=1", "/ws/rooms/{room}/");
        await watcher.ConnectAsync();

        await Layer.GroupSendAsync("watchers", ChannelMessage.From(new EchoRequest("typed")));
        Assert.Equal("typed", (await watcher.ReceiveJsonFromAsync()).GetProperty("echoed").GetString());

        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.raw", new { text = "as is" }));
        Assert.Equal("""{"text":"as is"}""", (await watcher.ReceiveFromAsync()).Text);

        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.coded", new { text = "by code" }));
        Assert.Equal("by code", (await watcher.ReceiveJsonFromAsync()).GetProperty("coded").GetString());

        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.whoami"));
        var me = await watcher.ReceiveJsonFromAsync();
        Assert.StartsWith("consumer.", me.GetProperty("channel").GetString());
        Assert.Equal("blue", me.GetProperty("room").GetString());
        Assert.Equal("1", me.GetProperty("q").GetString());
        await watcher.ReceiveNothingAsync();
    }

    [Fact]
    public async Task A_burst_larger_than_the_default_channel_capacity_reaches_a_consumer_whole()
    {
        await using var watcher = Communicator<Watcher>("/ws/");
        await watcher.ConnectAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Watcher.Gate = gate.Task;
        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.busy"));
        const int burst = 1_000; // ten times the layer's default capacity of 100, while the consumer is busy
        for (var i = 0; i < burst; i++)
        {
            await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.raw", new { i }));
        }

        gate.SetResult();
        Assert.Equal("""{"busy":false}""", (await watcher.ReceiveFromAsync()).Text);

        for (var i = 0; i < burst; i++)
        {
            Assert.Equal($$"""{"i":{{i}}}""", (await watcher.ReceiveFromAsync()).Text);
        }

        Assert.Equal(0, Layer.Stats.DropsFull);
    }

    [Fact]
    public async Task A_direct_send_to_a_consumers_channel_reaches_that_consumer_only()
    {
        await using var alice = Communicator<Watcher>("/ws/");
        await using var bob = Communicator<Watcher>("/ws/");
        await alice.ConnectAsync();
        await bob.ConnectAsync();
        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.whoami"));
        var bobsChannel = (await bob.ReceiveJsonFromAsync()).GetProperty("channel").GetString()!;
        await alice.ReceiveJsonFromAsync();

        await alice.SendJsonToAsync(new { to = bobsChannel, text = "psst" });
        Assert.Equal("psst", (await bob.ReceiveJsonFromAsync()).GetProperty("echoed").GetString());
        await alice.ReceiveNothingAsync();
    }

    [Fact]
    public async Task An_unknown_type_fails_the_consumer_with_an_error_naming_type_and_consumer_and_closes_1011()
    {
        await using var watcher = Communicator<Watcher>("/ws/");
        await watcher.ConnectAsync();
        await EventFilter.Exception<UnknownMessageTypeException>(contains: "Watcher has no handler for message type 'no.such.type'")
            .ExpectOneAsync(() => Layer.GroupSendAsync("watchers", ChannelMessage.Create("no.such.type")).AsTask());
        Assert.Equal(CloseCodes.InternalError, await watcher.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_type_starting_with_an_underscore_is_refused_as_malformed()
    {
        await using var watcher = Communicator<Watcher>("/ws/");
        await watcher.ConnectAsync();
        await EventFilter.Exception<UnknownMessageTypeException>(contains: "starts with '_'")
            .ExpectOneAsync(() => Layer.GroupSendAsync("watchers", ChannelMessage.Create("_private")).AsTask());
        Assert.Equal(CloseCodes.InternalError, await watcher.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_handler_that_throws_closes_only_its_own_connection_with_1011_and_its_failure_is_logged_with_path_and_exception()
    {
        await using var crashing = Communicator<Watcher>("/ws/");
        await using var bystander = Communicator<Watcher>("/ws/");
        await crashing.ConnectAsync();
        await bystander.ConnectAsync();
        var crashingChannel = await WhoIs(crashing);
        await bystander.ReceiveJsonFromAsync(); // its own whoami answer
        var path = crashing.Consumer.Path.ToString();
        await EventFilter.Custom<Error>(e => e.Cause is InvalidOperationException { Message: "handler blew up" } && e.LogSource == path)
            .ExpectOneAsync(() => Layer.SendAsync(crashingChannel, ChannelMessage.Create("test.crash")).AsTask());
        Assert.Equal(CloseCodes.InternalError, await crashing.ReceiveCloseAsync());

        await Layer.GroupSendAsync("watchers", ChannelMessage.From(new EchoRequest("still here")));
        Assert.Equal("still here", (await bystander.ReceiveJsonFromAsync()).GetProperty("echoed").GetString());
        Assert.Single(await Layer.GroupMembersAsync("watchers")); // the crashed consumer's membership ended with it
    }

    private async Task<string> WhoIs(WebSocketCommunicator communicator)
    {
        await Layer.GroupSendAsync("watchers", ChannelMessage.Create("test.whoami"));
        var channel = (await communicator.ReceiveJsonFromAsync()).GetProperty("channel").GetString()!;
        return channel;
    }

    [Fact]
    public async Task Malformed_json_closes_with_1007_by_default_or_gets_an_error_frame_when_opted_in()
    {
        await using var strict = Communicator<Watcher>("/ws/");
        await strict.ConnectAsync();
        await strict.SendToAsync("{not json");
        Assert.Equal(CloseCodes.InvalidPayload, await strict.ReceiveCloseAsync());

        await using var lenient = Communicator<Lenient>("/ws/");
        await lenient.ConnectAsync();
        await lenient.SendToAsync("{not json");
        Assert.StartsWith("malformed JSON", (await lenient.ReceiveJsonFromAsync()).GetProperty("error").GetString());
        await lenient.SendToAsync("""{"ok":true}""");
        Assert.Equal("""{"ok":true}""", (await lenient.ReceiveJsonFromAsync()).GetProperty("got").GetString());
    }

    [Fact]
    public async Task A_binary_frame_to_a_text_consumer_closes_with_1003()
    {
        await using var watcher = Communicator<Watcher>("/ws/");
        await watcher.ConnectAsync();
        await watcher.SendToAsync([1, 2, 3]);
        var frame = await watcher.ReceiveFromAsync();
        Assert.Equal(WebSocketMessageType.Close, frame.Type);
        Assert.Equal(CloseCodes.UnsupportedData, frame.CloseCode);
    }

    [Fact]
    public async Task Sending_before_accepting_fails_the_consumer()
    {
        await using var eager = Communicator<EagerSender>("/ws/");
        var result = await EventFilter.Exception<InvalidOperationException>(contains: "sent a frame before AcceptAsync")
            .ExpectOneAsync(() => eager.ConnectAsync());
        Assert.Equal(new ConnectResult(false, null, CloseCodes.InternalError), result);
    }

    [Fact]
    public void A_wrongly_declared_handler_is_reported_with_the_method_and_the_fix()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => HandlerTable.For(typeof(BadHandler)));
        Assert.Contains("BadHandler.OnTwo", ex.Message);
        Assert.Contains("must take one parameter", ex.Message);
        Assert.Contains("two handlers", Assert.Throws<InvalidOperationException>(() => HandlerTable.For(typeof(DuplicateHandler))).Message);
    }

    private sealed class BadHandler : WebSocketConsumer
    {
        [Handles("test.two")]
        private Task OnTwo(ChannelMessage a, ChannelMessage b) => Task.CompletedTask;
    }

    private sealed class DuplicateHandler : WebSocketConsumer
    {
        [Handles("test.same")]
        private Task One(ChannelMessage a) => Task.CompletedTask;

        [Handles("test.same")]
        private Task Two(ChannelMessage a) => Task.CompletedTask;
    }
}
