using ActorChat.Gateway.Chat;

namespace ActorChat.Gateway.Api;

/// <summary>
/// <c>GET /api/rooms/{room}/presence</c>: who is in a room, on every node, as
/// <c>{"room": "lobby", "entries": [{"key": "ada", "metas": [{"channel", "node", "joinedAt", "meta"}]}]}</c>.
/// A bad room name gets 400 with a JSON problem description.
/// </summary>
public static class RoomPresenceEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointConventionBuilder MapRoomPresence(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/rooms/{room}/presence", async (string room, ChannelLayer.IChannelLayer layer, CancellationToken cancellationToken) =>
            RoomGroup.IsValidRoom(room)
                ? Results.Json(new { room, entries = await layer.PresenceAsync(RoomGroup.For(room), cancellationToken) })
                : Results.Problem(title: "Invalid room name", detail: $"Room '{room}' is not valid: {RoomGroup.Rule}.", statusCode: StatusCodes.Status400BadRequest))
            .WithDisplayName("List who is in a room");
}
