using System.Net.WebSockets;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.Consumers;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddActorChat(builder.Configuration);

var app = builder.Build();
app.MapConsumer<ChatConsumer>("/ws/chat/{room}/");
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.Run();

/// <summary>The Django Channels tutorial chat: every message a member sends reaches every member of the room, the sender too.</summary>
public sealed class ChatConsumer : JsonWebSocketConsumer
{
    private string Group => "chat_" + Scope.Route["room"];

    /// <summary>Joins the room's group, then accepts the socket.</summary>
    protected override async Task OnConnectAsync()
    {
        await GroupAddAsync(Group);
        await AcceptAsync();
    }

    /// <summary>Leaves the room.</summary>
    protected override Task OnDisconnectAsync(WebSocketCloseStatus? status) => GroupDiscardAsync(Group);

    /// <summary>Sends <c>{"message": …}</c> to the room.</summary>
    protected override Task OnReceiveJsonAsync(JsonElement content) =>
        GroupSendAsync(Group, new ChatMessage(content.GetProperty("message").GetString()!));

    [Handles("chat.message")]
    private Task OnChatMessage(ChatMessage message) => SendJsonAsync(new { message = message.Message });
}

/// <summary>A chat message as it travels through the room's group.</summary>
[ChannelMessageType("chat.message")]
public sealed record ChatMessage(string Message);
