using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorChat.ChannelLayer;

/// <summary>
/// Writes a <see cref="PresenceMeta"/> as the web defaults would, from bytes encoded once per meta: every joiner of a
/// room gets the whole list in its <c>presence_state</c>, so a meta of a 5,000-member room was encoded thousands of
/// times (22% of a cluster node's CPU while such a room filled). Reads it as the serializer does.
/// </summary>
/// <remarks>
/// Registered only in the options of the channel layer and of JSON consumers, which are the web defaults, so the cached
/// bytes are exactly what those options write. A meta is immutable, so its encoding never goes stale; the cache holds it
/// as long as the meta lives and no longer.
/// </remarks>
internal sealed class PresenceMetaJsonConverter : JsonConverter<PresenceMeta>
{
    /// <summary>The one instance, for an options' <see cref="JsonSerializerOptions.Converters"/>.</summary>
    public static readonly PresenceMetaJsonConverter Instance = new();

    private static readonly JsonSerializerOptions s_webDefaults = new(JsonSerializerDefaults.Web); // without this converter
    private static readonly ConditionalWeakTable<PresenceMeta, byte[]> s_encoded = [];
    private static readonly ConditionalWeakTable<PresenceMeta, byte[]>.CreateValueCallback s_encode =
        meta => JsonSerializer.SerializeToUtf8Bytes(meta, s_webDefaults);

    private PresenceMetaJsonConverter()
    {
    }

    /// <inheritdoc />
    public override PresenceMeta? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<PresenceMeta>(ref reader, s_webDefaults);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, PresenceMeta value, JsonSerializerOptions options) =>
        writer.WriteRawValue(s_encoded.GetValue(value, s_encode), skipInputValidation: true);
}
