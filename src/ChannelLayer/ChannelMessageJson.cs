using System.Text;
using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>The JSON conventions of channel messages: web defaults (camelCase out, case-insensitive in).</summary>
internal static class ChannelMessageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly byte[] s_emptyObject = "{}"u8.ToArray();

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

    /// <summary>Splices <c>"type":"…"</c> in front of the payload's fields. Types contain no characters that need escaping.</summary>
    public static byte[] WithType(string type, byte[] payloadJson)
    {
        ReadOnlySpan<byte> head = "{\"type\":\""u8;
        var hasFields = payloadJson.Length > 2;
        // {"type":"<type>"  then  ,<fields>}  or  }
        var result = new byte[head.Length + type.Length + 1 + (hasFields ? payloadJson.Length : 1)];
        head.CopyTo(result);
        var at = head.Length + System.Text.Encoding.ASCII.GetBytes(type, result.AsSpan(head.Length));
        result[at++] = (byte)'"';
        if (hasFields)
        {
            result[at++] = (byte)',';
            payloadJson.AsSpan(1).CopyTo(result.AsSpan(at));
        }
        else
        {
            result[at] = (byte)'}';
        }

        return result;
    }

    /// <summary>Re-encodes a parsed message's fields without its <c>type</c>.</summary>
    public static byte[] WithoutType(JsonElement fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in fields.EnumerateObject())
            {
                if (property.NameEquals("type"u8))
                {
                    continue;
                }

                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
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
