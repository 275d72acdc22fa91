using System.Net.WebSockets;
using System.Text.Json;
using ActorChat.Consumers;

namespace ActorChat.Gateway.Chat;

/// <summary>
/// The Django Channels tutorial chat: a client sends <c>{"message": "hi"}</c>, and every member of the room,
/// the sender too, receives <c>{"message": "hi"}</c>. A room message goes to each client as its fields, encoded once
/// per node and relayed past the consumer actor (<see cref="RelayToClientAttribute"/>).
/// </summary>
[RelayToClient("chat.message")]
public sealed class ChatConsumer : JsonWebSocketConsumer
{
    private bool _joined;

    private string Room => Scope.Route["room"]?.ToString() ?? "";

    private string Group => RoomGroup.For(Room);

    /// <summary>Refuses (403) a room name that cannot be a group name, joins the room's group, then accepts.</summary>
    protected override async Task OnConnectAsync()
    {
        if (!RoomGroup.IsValidRoom(Room))
        {
            throw new DenyConnectionException($"room '{Room}' is not a valid name: {RoomGroup.Rule}");
        }

        await GroupAddAsync(Group);
        _joined = true;
        await AcceptAsync();
    }

    /// <summary>Leaves the room.</summary>
    protected override Task OnDisconnectAsync(WebSocketCloseStatus? status) => _joined ? GroupDiscardAsync(Group) : Task.CompletedTask;

    /// <summary>Broadcasts <c>{"message": text}</c> to the room; anything else gets an error frame and the connection stays open.</summary>
    protected override Task OnReceiveJsonAsync(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Object || !content.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String)
        {
            return SendErrorAsync("expected an object like {\"message\": \"hi\"}");
        }

        return GroupSendAsync(Group, new ChatMessage(message.GetString()!));
    }
}
