// The SignalR yardstick: the chat as an ASP.NET Core SignalR hub, the framework .NET users would pick instead of
// ActorChat. A client connects to /hub (WebSockets, the default JSON hub protocol), invokes JoinRoom(room), then
// SendToRoom(room, message); every member of the room gets the client method "message" with the text. Kept as plain as
// the SignalR docs show a hub with groups: it is a yardstick, not something to tune.
//   dotnet run -c Release --project bench/SignalRHub -- --urls http://127.0.0.1:8100
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8100");
}

builder.Services.AddSignalR();
var app = builder.Build();
app.MapHub<ChatHub>("/hub");
app.MapGet("/", () => "SignalR chat hub at /hub\n");
app.Run();

/// <summary>Rooms are SignalR groups.</summary>
internal sealed class ChatHub : Hub
{
    /// <summary>Joins the room; the invocation completes once the group has the connection.</summary>
    public Task JoinRoom(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

    /// <summary>Sends the message to every member of the room, the sender too.</summary>
    public Task SendToRoom(string room, string message) => Clients.Group(room).SendAsync("message", message);
}
