using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorChat.ChannelLayer;

/// <summary>
/// Writes a <see cref="PresenceMeta"/> field by field, as the web defaults would write the record, without the
/// serializer's per-object work: every joiner of a room gets the whole list in its <c>presence_state</c>, so a meta of
/// a 5,000-member room is written thousands of times. Reads it as the serializer does.
/// </summary>
/// <remarks>
/// Registered only in the options of the channel layer and of JSON consumers, which are the web defaults (camelCase
/// names; the writer brings the options' encoder), so the output is the serializer's own (<c>PresenceJsonTests</c>).
/// Caching each meta's bytes was faster still for a list, but cost every first write an array and a cache entry, which
/// made a join with presence about 1.5 µs slower (BENCHMARKS.md).
/// </remarks>
internal sealed class PresenceMetaJsonConverter : JsonConverter<PresenceMeta>
{
    /// <summary>The one instance, for an options' <see cref="JsonSerializerOptions.Converters"/>.</summary>
    public static readonly PresenceMetaJsonConverter Instance = new();

    private static readonly JsonSerializerOptions s_webDefaults = new(JsonSerializerDefaults.Web); // without this converter
    private static readonly JsonEncodedText s_key = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText s_channel = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText s_node = JsonEncodedText.Encode("node");
    private static readonly JsonEncodedText s_joinedAt = JsonEncodedText.Encode("joinedAt");
    private static readonly JsonEncodedText s_meta = JsonEncodedText.Encode("meta");

    private PresenceMetaJsonConverter()
    {
    }

    /// <inheritdoc />
    public override PresenceMeta? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<PresenceMeta>(ref reader, s_webDefaults);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, PresenceMeta value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(s_key, value.Key);
        writer.WriteString(s_channel, value.Channel);
        writer.WriteString(s_node, value.Node);
        writer.WriteString(s_joinedAt, value.JoinedAt);
        writer.WritePropertyName(s_meta);
        value.Meta.WriteTo(writer);
        writer.WriteEndObject();
    }
}
