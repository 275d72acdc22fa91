using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.Redis;
using ActorChat.Gateway.Chat;
using Akka.Actor;

namespace ActorChat.Gateway.Api;

/// <summary>
/// <c>GET /api/rooms/{room}/presence</c>: who is in a room, on every node, as
/// <c>{"room": "lobby", "entries": [{"key": "ada", "metas": [{"channel", "node", "joinedAt", "meta"}]}]}</c>.
/// A bad room name gets 400 with a JSON problem description; a layer that does not answer in time, 503.
/// </summary>
public static class RoomPresenceEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointConventionBuilder MapRoomPresence(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/rooms/{room}/presence", ListAsync).WithDisplayName("List who is in a room");

    private static async Task<IResult> ListAsync(string room, IChannelLayer layer, CancellationToken cancellationToken)
    {
        if (!RoomGroup.IsValidRoom(room))
        {
            return Results.Problem(title: "Invalid room name", detail: $"Room '{room}' is not valid: {RoomGroup.Rule}.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            return Results.Json(new { room, entries = await layer.PresenceAsync(RoomGroup.For(room), cancellationToken) });
        }
        catch (Exception ex) when (ex is AskTimeoutException or RedisUnavailableException)
        {
            // The layer is overloaded or Redis is away: say so, as /readyz would, instead of a bare 500.
            return Results.Problem(title: "Presence unavailable", detail: $"The channel layer did not answer: {ex.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
