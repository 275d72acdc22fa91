using ActorChat.Gateway.Chat;
using Akka.Actor;
using Akka.Hosting;

namespace ActorChat.Gateway.Tests;

/// <summary>The chat consumer through the TestKit's communicator, as DESIGN.md sketches it.</summary>
public sealed class ChatConsumerTests : ConsumerTestKit
{
    private WebSocketCommunicator Chat(string room) => Communicator<ChatConsumer>($"/ws/chat/{room}/", "/ws/chat/{room}/");

    /// <summary>DESIGN.md's test, word for word: the route values come from the consumer's [ConsumerRoute].</summary>
    [Fact]
    public async Task Room_members_receive_each_message_once_as_DESIGN_md_writes_it()
    {
        await using var alice = Communicator<ChatConsumer>("/ws/chat/lobby/");
        await using var bob = Communicator<ChatConsumer>("/ws/chat/lobby/");
        Assert.True((await alice.ConnectAsync()).Accepted);
        Assert.True((await bob.ConnectAsync()).Accepted);

        await alice.SendJsonToAsync(new { message = "hi" });

        Assert.Equal("hi", (await bob.ReceiveJsonFromAsync()).GetProperty("message").GetString());
        await alice.ReceiveJsonFromAsync();   // the sender gets its own message too
        await bob.ReceiveNothingAsync();
    }

    [Fact]
    public async Task Room_members_receive_each_message_once()
    {
        await using var alice = Chat("lobby");
        await using var bob = Chat("lobby");
        Assert.True((await alice.ConnectAsync()).Accepted);
        Assert.True((await bob.ConnectAsync()).Accepted);

        await alice.SendJsonToAsync(new { message = "hi" });

        Assert.Equal("hi", (await bob.ReceiveJsonFromAsync()).GetProperty("message").GetString());
        Assert.Equal("hi", (await alice.ReceiveJsonFromAsync()).GetProperty("message").GetString()); // the sender gets its own message too
        await bob.ReceiveNothingAsync();
        await alice.ReceiveNothingAsync();
    }

    [Fact]
    public async Task Rooms_do_not_leak_into_each_other()
    {
        await using var lobby = Chat("lobby");
        await using var kitchen = Chat("kitchen");
        await lobby.ConnectAsync();
        await kitchen.ConnectAsync();
        await lobby.SendJsonToAsync(new { message = "lobby only" });
        await lobby.ReceiveJsonFromAsync();
        await kitchen.ReceiveNothingAsync();
    }

    [Fact]
    public async Task An_invalid_room_is_refused_and_leaving_the_room_removes_the_member()
    {
        await using var bad = Chat("no!bang");
        Assert.False((await bad.ConnectAsync()).Accepted);

        var alice = Chat("lobby");
        await alice.ConnectAsync();
        Assert.Single(await Layer.GroupMembersAsync(RoomGroup.For("lobby")));
        await alice.DisconnectAsync();
        Assert.Empty(await Layer.GroupMembersAsync(RoomGroup.For("lobby")));
    }

    [Fact]
    public async Task Nick_asks_the_registered_nickname_registry_and_later_messages_carry_the_nick()
    {
        var nicknames = CreateTestProbe("nicknames");
        ActorRegistry.For(Sys).Register<NicknameRegistry>(nicknames.Ref);
        await using var alice = Chat("lobby");
        await using var bob = Chat("lobby");
        await alice.ConnectAsync();
        await bob.ConnectAsync();

        await alice.SendJsonToAsync(new { message = "/nick ada" });
        var claim = await nicknames.ExpectMsgAsync<ClaimNickname>();
        Assert.Equal("ada", claim.Nickname);
        Assert.Equal(alice.Consumer, claim.Owner);
        nicknames.Reply(new NicknameClaimed("ada"));
        Assert.Equal("ada", (await alice.ReceiveJsonFromAsync()).GetProperty("nick").GetString());
        await bob.ReceiveNothingAsync(); // the command is not a chat message

        await alice.SendJsonToAsync(new { message = "hi" });
        var line = await bob.ReceiveJsonFromAsync();
        Assert.Equal("hi", line.GetProperty("message").GetString());
        Assert.Equal("ada", line.GetProperty("nick").GetString());

        await bob.SendJsonToAsync(new { message = "/nick ada" });
        await nicknames.ExpectMsgAsync<ClaimNickname>(c => c.Owner.Equals(bob.Consumer));
        nicknames.Reply(new NicknameTaken("ada"));
        Assert.Equal("the nickname 'ada' is taken", (await bob.ReceiveJsonFromAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_bad_nickname_is_refused_without_asking_and_without_a_registry_nick_says_so()
    {
        await using var alice = Chat("lobby");
        await alice.ConnectAsync();
        await alice.SendJsonToAsync(new { message = "/nick two words" });
        Assert.StartsWith("'two words' is not a nickname", (await alice.ReceiveJsonFromAsync()).GetProperty("error").GetString());

        await alice.SendJsonToAsync(new { message = "/nick ada" }); // this test registered no NicknameRegistry
        Assert.Equal("nicknames are not available on this node", (await alice.ReceiveJsonFromAsync()).GetProperty("error").GetString());
        await alice.SendJsonToAsync(new { message = "plain" });
        Assert.False((await alice.ReceiveJsonFromAsync()).TryGetProperty("nick", out _));
    }
}

/// <summary>The real <see cref="NicknameRegistry"/>: one owner per name, freed by death watch when its owner stops.</summary>
public sealed class NicknameRegistryTests : ConsumerTestKit
{
    [Fact]
    public async Task A_nickname_has_one_owner_and_is_free_again_when_its_owner_stops()
    {
        var registry = Sys.ActorOf(Props.Create<NicknameRegistry>());
        var ada = CreateTestProbe();
        var bob = CreateTestProbe();

        registry.Tell(new ClaimNickname("ada", ada.Ref), TestActor);
        await ExpectMsgAsync(new NicknameClaimed("ada"));
        registry.Tell(new ClaimNickname("ADA", bob.Ref), TestActor);
        await ExpectMsgAsync(new NicknameTaken("ADA")); // names compare without case

        registry.Tell(new ClaimNickname("countess", ada.Ref), TestActor);
        await ExpectMsgAsync(new NicknameClaimed("countess")); // a new name frees the old one
        registry.Tell(new ClaimNickname("ada", bob.Ref), TestActor);
        await ExpectMsgAsync(new NicknameClaimed("ada"));

        Sys.Stop(bob.Ref);
        await AwaitAssertAsync(async () =>
        {
            registry.Tell(new ClaimNickname("ada", ada.Ref), TestActor);
            Assert.IsType<NicknameClaimed>(await ExpectMsgAsync<object>());
        });
    }
}
