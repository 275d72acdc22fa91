using ActorChat.TestKit;
using Xunit;

namespace MinimalChat.Tests;

public sealed class ChatConsumerTests : ConsumerTestKit
{
    private const string Route = "/ws/chat/{room}/";

    [Fact]
    public async Task Room_members_receive_each_message_once()
    {
        await using var alice = Communicator<ChatConsumer>("/ws/chat/lobby/", Route);
        await using var bob = Communicator<ChatConsumer>("/ws/chat/lobby/", Route);
        Assert.True((await alice.ConnectAsync()).Accepted);
        Assert.True((await bob.ConnectAsync()).Accepted);

        await alice.SendJsonToAsync(new { message = "hi" });

        Assert.Equal("hi", (await bob.ReceiveJsonFromAsync()).GetProperty("message").GetString());
        Assert.Equal("hi", (await alice.ReceiveJsonFromAsync()).GetProperty("message").GetString()); // the sender too
        await bob.ReceiveNothingAsync();
    }

    [Fact]
    public async Task Another_room_hears_nothing()
    {
        await using var alice = Communicator<ChatConsumer>("/ws/chat/lobby/", Route);
        await using var carol = Communicator<ChatConsumer>("/ws/chat/kitchen/", Route);
        await alice.ConnectAsync();
        await carol.ConnectAsync();

        await alice.SendJsonToAsync(new { message = "lobby only" });

        Assert.Equal("lobby only", (await alice.ReceiveJsonFromAsync()).GetProperty("message").GetString());
        await carol.ReceiveNothingAsync();
    }
}
