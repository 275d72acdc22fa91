using System.Text;
using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>The JSON conventions of channel messages: web defaults (camelCase out, case-insensitive in).</summary>
internal static class ChannelMessageJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static readonly byte[] s_emptyObject = "{}"u8.ToArray();

    /// <summary>
    /// New options with these conventions, for code that keeps its own instance (JSON consumers): the web defaults, and
    /// presence metas written by <see cref="PresenceMetaJsonConverter"/>.
    /// </summary>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web) { Converters = { PresenceMetaJsonConverter.Instance } };

    /// <summary>Encodes the payload as a JSON object that has no field of its own named <c>type</c>.</summary>
    public static byte[] EncodePayload(string type, object? payload)
    {
        if (payload is null)
        {
            return s_emptyObject;
        }

        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ChannelMessageSerializationException(
                $"Message '{type}' cannot be sent: its payload {payload.GetType().Name} does not serialize to JSON ({ex.Message}).", ex);
        }

        if (json.Length == 0 || json[0] != (byte)'{')
        {
            throw new ChannelMessageSerializationException(
                $"Message '{type}' cannot be sent: its payload {payload.GetType().Name} must serialize to a JSON object, but it is {Encoding.UTF8.GetString(json, 0, Math.Min(json.Length, 40))}.");
        }

        if (HasTopLevelType(json))
        {
            throw new ChannelMessageSerializationException(
                $"Message '{type}' cannot be sent: its payload has a field named 'type'; the type is given once, as the message type.");
        }

        return json;
    }

    private static bool HasTopLevelType(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8))
            {
                return true;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1)
            {
                reader.Skip();
            }
        }

        return false;
    }
}
