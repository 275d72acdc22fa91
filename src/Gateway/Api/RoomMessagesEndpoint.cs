using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.Gateway.Chat;
using ActorChat.Gateway.Configuration;

namespace ActorChat.Gateway.Api;

/// <summary>
/// <c>POST /api/rooms/{room}/messages</c> with <c>{"message": "…"}</c>: posts into a room from outside any
/// consumer (the Channels "send to a WebSocket from a view" question). Answers 202 when the message is on its way;
/// a bad body or room gets 400 with a JSON problem description.
/// </summary>
public static class RoomMessagesEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointConventionBuilder MapRoomMessages(this IEndpointRouteBuilder endpoints, NodeOptions node) =>
        endpoints.MapPost("/api/rooms/{room}/messages", (HttpContext context, string room, IChannelLayer layer) => PostAsync(context, room, layer, node.MaxApiBodySize))
            .WithDisplayName("Post a chat message into a room");

    private static async Task<IResult> PostAsync(HttpContext context, string room, IChannelLayer layer, int maxBody)
    {
        if (!RoomGroup.IsValidRoom(room))
        {
            return Problem("Invalid room name", $"Room '{room}' is not valid: {RoomGroup.Rule}.");
        }

        if (context.Request.ContentLength > maxBody)
        {
            return Problem("Body too large", $"The body is {context.Request.ContentLength} bytes; the limit is {maxBody} (node.maxApiBodySize).");
        }

        var body = await ReadLimitedAsync(context.Request.Body, maxBody, context.RequestAborted);
        if (body is null)
        {
            return Problem("Body too large", $"The body is over {maxBody} bytes (node.maxApiBodySize).");
        }

        string? message;
        try
        {
            using var document = JsonDocument.Parse(body);
            message = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var field) && field.ValueKind == JsonValueKind.String
                ? field.GetString()
                : null;
        }
        catch (JsonException ex)
        {
            return Problem("Malformed JSON", $"The body is not valid JSON: {ex.Message}");
        }

        if (message is null)
        {
            return Problem("Missing field", "The body must be a JSON object with a string field 'message', such as {\"message\": \"hi\"}.");
        }

        await layer.GroupSendAsync(RoomGroup.For(room), ChannelMessage.From(new ChatMessage(message)), context.RequestAborted);
        return Results.Json(new { room, status = "sent" }, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Problem(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
