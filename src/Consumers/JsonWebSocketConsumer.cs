using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>
/// A consumer that speaks JSON text frames: incoming text is decoded and handed to
/// <see cref="OnReceiveJsonAsync"/>; <see cref="SendJsonAsync"/> encodes. Malformed JSON closes the
/// connection with 1007, or, when <see cref="SendErrorFrames"/> is true, answers with an error frame.
/// </summary>
public abstract class JsonWebSocketConsumer : WebSocketConsumer
{
    /// <summary>The JSON conventions: web defaults (camelCase out, case-insensitive in).</summary>
    /// <remarks>A presence meta is written field by field, past the serializer's per-object work (a room's list goes to every joiner).</remarks>
    protected static JsonSerializerOptions JsonOptions { get; } = ChannelMessageJson.CreateOptions(); // an instance of its own, the layer's conventions

    private static readonly ConcurrentDictionary<Type, bool> s_decodesWithOwnCopy = new();

    /// <summary>
    /// When true, malformed JSON is answered with <c>{"error":"…"}</c> and the connection stays open.
    /// When false (the default), it closes with 1007.
    /// </summary>
    protected virtual bool SendErrorFrames => false;

    /// <summary>Called for each decoded JSON message. The default ignores it.</summary>
    protected virtual Task OnReceiveJsonAsync(JsonElement content) => Task.CompletedTask;

    /// <summary>Sends <paramref name="content"/> as one JSON text frame.</summary>
    protected Task SendJsonAsync(object content) => SendTextUtf8Async(EncodeJson(content));

    /// <summary>
    /// Sends a channel message's fields (without its <c>type</c>) as one text frame. The bytes are the message's
    /// own encoding, made once per node and shared by every member that forwards it: the fast path for broadcasts.
    /// </summary>
    protected Task SendFieldsAsync(ChannelMessage message) => SendTextUtf8Async(message.PayloadJson);

    /// <summary>Sends <c>{"error": message}</c>; the connection stays open.</summary>
    protected Task SendErrorAsync(string message) => SendJsonAsync(new { error = message });

    /// <summary>
    /// Decodes one text frame (UTF-8); override for another format. Throw <see cref="JsonException"/> for bad input. The
    /// default copies what it needs, so the node reuses the frame's buffer afterwards; with an override of your own the
    /// node leaves <paramref name="utf8"/> to you, and an element that reads it directly (<c>JsonDocument.Parse(utf8)</c>)
    /// stays valid for as long as you keep it.
    /// </summary>
    protected virtual JsonElement DecodeJson(ReadOnlyMemory<byte> utf8) =>
        JsonSerializer.Deserialize<JsonElement>(utf8.Span, JsonOptions); // one parse into an element that owns its data

    /// <summary>Encodes one outgoing message to UTF-8; override for another format.</summary>
    protected virtual ReadOnlyMemory<byte> EncodeJson(object content) => JsonSerializer.SerializeToUtf8Bytes(content, content.GetType(), JsonOptions);

    /// <summary>
    /// Our <see cref="DecodeJson"/> parses into an element that owns a copy of the bytes. A subclass's own may keep the
    /// bytes (<c>JsonDocument.Parse(utf8)</c> does), so a consumer that overrides it never gets a pooled array back.
    /// </summary>
    private protected sealed override bool DecodesTextAtOnce => s_decodesWithOwnCopy.GetOrAdd(GetType(), static type =>
        type.GetMethod(nameof(DecodeJson), BindingFlags.Instance | BindingFlags.NonPublic, [typeof(ReadOnlyMemory<byte>)])?.DeclaringType == typeof(JsonWebSocketConsumer));

    /// <summary>JSON consumers receive text as <see cref="OnReceiveJsonAsync"/>; this is sealed.</summary>
    protected sealed override Task OnReceiveAsync(string text) => OnReceiveTextAsync(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Parses the frame's UTF-8 directly, without making a string first.</summary>
    private protected sealed override async Task OnReceiveTextAsync(ReadOnlyMemory<byte> utf8)
    {
        JsonElement content;
        try
        {
            content = DecodeJson(utf8);
        }
        catch (JsonException ex)
        {
            var problem = $"malformed JSON: {ex.Message}";
            await (SendErrorFrames ? SendErrorAsync(problem) : CloseAsync(CloseCodes.InvalidPayload, "malformed JSON"));
            return;
        }

        await OnReceiveJsonAsync(content);
    }
}
