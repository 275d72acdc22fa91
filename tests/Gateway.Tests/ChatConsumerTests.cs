using ActorChat.Gateway.Chat;

namespace ActorChat.Gateway.Tests;

/// <summary>The chat consumer through the TestKit's communicator, as DESIGN.md sketches it.</summary>
public sealed class ChatConsumerTests : ConsumerTestKit
{
    private WebSocketCommunicator Chat(string room) => Communicator<ChatConsumer>($"/ws/chat/{room}/", "/ws/chat/{room}/");

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
}
