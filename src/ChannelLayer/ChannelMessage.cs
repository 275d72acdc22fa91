using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>
/// A channel layer message: a <see cref="Type"/> such as <c>chat.message</c> plus fields.
/// </summary>
/// <remarks>
/// Build one from any C# object (<see cref="Create"/>, or <see cref="From"/> for a record marked with
/// <see cref="ChannelMessageTypeAttribute"/>), or parse one from JSON. The UTF-8 JSON is computed at
/// most once per instance, however many members and nodes the message reaches: <see cref="Json"/>
/// (with <c>type</c>, what a layer carries) and <see cref="PayloadJson"/> (the fields alone, what a
/// socket usually gets). In-process readers get the original object back without a JSON round trip.
/// An instance is immutable once sent and safe to share between threads.
/// </remarks>
public sealed class ChannelMessage
{
    private static readonly ConcurrentDictionary<Type, string?> s_typeNames = new();
    private static long s_encodings;

    private readonly object? _payload;
    private byte[]? _json;
    private byte[]? _payloadJson;
    private JsonElement? _fields;

    private ChannelMessage(string type, object? payload, byte[]? json, JsonElement? fields)
    {
        Type = type;
        _payload = payload;
        _json = json;
        _fields = fields;
    }

    /// <summary>The message type, which picks the handler (<c>chat.message</c> → the handler for <c>chat.message</c>).</summary>
    public string Type { get; }

    /// <summary>The C# object the message was built from, or null for a message parsed from JSON.</summary>
    public object? Payload => _payload;

    /// <summary>How many JSON encodings all messages in this process have done; the encode-once benchmark reads it.</summary>
    public static long EncodeCount => Volatile.Read(ref s_encodings);

    /// <summary>The whole message as UTF-8 JSON, <c>{"type":"…",…fields}</c>. Encoded on first use, once.</summary>
    /// <exception cref="ChannelMessageSerializationException">The payload cannot be encoded as a JSON object.</exception>
    public ReadOnlyMemory<byte> Json
    {
        get
        {
            EnsureEncoded();
            // Spliced from the payload's encoding on first use (no second serialization): in-process delivery never needs it.
            return Volatile.Read(ref _json) ?? Interlocked.CompareExchange(ref _json, ChannelMessageJson.WithType(Type, _payloadJson!), null) ?? _json!;
        }
    }

    /// <summary>The fields without <c>type</c>, as UTF-8 JSON: the frame a WebSocket client usually receives. Encoded once.</summary>
    public ReadOnlyMemory<byte> PayloadJson
    {
        get
        {
            EnsureEncoded();
            return _payloadJson;
        }
    }

    /// <summary>Creates a message of <paramref name="type"/> whose fields are <paramref name="payload"/>'s properties (camelCase in JSON).</summary>
    /// <param name="type">The type, such as <c>chat.message</c>: ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="payload">A record, anonymous object, dictionary or <see cref="JsonElement"/> object; null for no fields.</param>
    public static ChannelMessage Create(string type, object? payload = null)
    {
        ChannelNames.ValidateType(type);
        if (payload is ChannelMessage)
        {
            throw new ArgumentException("The payload is already a ChannelMessage; send it as it is.", nameof(payload));
        }

        return new ChannelMessage(type, payload, null, null);
    }

    /// <summary>
    /// Returns <paramref name="message"/> itself if it is a <see cref="ChannelMessage"/>, otherwise wraps it with the
    /// type from its <see cref="ChannelMessageTypeAttribute"/>.
    /// </summary>
    public static ChannelMessage From(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is ChannelMessage ready)
        {
            return ready;
        }

        var type = s_typeNames.GetOrAdd(message.GetType(), static t => t.GetCustomAttribute<ChannelMessageTypeAttribute>()?.Type)
            ?? throw new ArgumentException($"{message.GetType().Name} has no [ChannelMessageType(\"...\")] attribute: add one, or use ChannelMessage.Create(type, payload).", nameof(message));
        return Create(type, message);
    }

    /// <summary>Parses a message from UTF-8 JSON: an object with a string <c>type</c> field.</summary>
    /// <exception cref="FormatException">The JSON is malformed, not an object, or has no valid <c>type</c>.</exception>
    public static ChannelMessage Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"A channel message must be a JSON object: {ex.Message}", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A channel message must be a JSON object, not {root.ValueKind}.");
        }

        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("A channel message needs a string field 'type'.");
        }

        var type = typeElement.GetString()!;
        if (!ChannelNames.IsValidGroup(type))
        {
            throw new FormatException($"Message type '{type}' is invalid: use ASCII letters, digits, '-', '_' and '.'.");
        }

        return new ChannelMessage(type, null, utf8Json.ToArray(), root);
    }

    /// <summary>
    /// A message whose fields are already UTF-8 JSON (another node's encoding, say): adopted as they are, so a
    /// receiving node neither parses nor re-encodes them. Fields are parsed only if something reads them.
    /// </summary>
    /// <exception cref="FormatException">The type is invalid or the payload is not a JSON object.</exception>
    internal static ChannelMessage FromPayloadJson(string type, byte[] payloadJson)
    {
        if (!ChannelNames.IsValidGroup(type))
        {
            throw new FormatException($"Message type '{type}' is invalid: use ASCII letters, digits, '-', '_' and '.'.");
        }

        if (payloadJson.Length < 2 || payloadJson[0] != (byte)'{' || payloadJson[^1] != (byte)'}')
        {
            throw new FormatException("A channel message's fields must be a JSON object.");
        }

        return new ChannelMessage(type, null, null, null) { _payloadJson = payloadJson };
    }

    /// <summary>Encodes the message now if it was not yet; a layer calls this at the sender so a bad payload fails there.</summary>
    /// <exception cref="ChannelMessageSerializationException">The payload cannot be encoded as a JSON object.</exception>
    public void EnsureEncoded()
    {
        if (Volatile.Read(ref _payloadJson) is not null)
        {
            return;
        }

        lock (this) // the message is immutable to everyone else; this makes "encoded once" exact under races
        {
            if (_payloadJson is not null)
            {
                return;
            }

            Volatile.Write(ref _payloadJson, _json is not null
                ? ChannelMessageJson.WithoutType(Fields)
                : ChannelMessageJson.EncodePayload(Type, _payload));

            Interlocked.Increment(ref s_encodings);
        }
    }

    /// <summary>
    /// The message as a <typeparamref name="T"/>: the original object when it is one, otherwise the fields
    /// deserialized (names match case-insensitively).
    /// </summary>
    /// <exception cref="ChannelMessageSerializationException">The fields do not fit <typeparamref name="T"/>.</exception>
    public T Deserialize<T>()
    {
        if (_payload is T typed)
        {
            return typed;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(PayloadJson.Span, ChannelMessageJson.Options)
                ?? throw new ChannelMessageSerializationException($"Message '{Type}' deserialized to null as {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new ChannelMessageSerializationException($"Message '{Type}' does not fit {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads one field as <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">The message has no such field.</exception>
    public T? Get<T>(string field) =>
        TryGet<T>(field, out var value) ? value : throw new KeyNotFoundException($"Message '{Type}' has no field '{field}'.");

    /// <summary>Reads one field as <typeparamref name="T"/> if it exists.</summary>
    public bool TryGet<T>(string field, out T? value)
    {
        if (Fields.TryGetProperty(field, out var element))
        {
            value = element.Deserialize<T>(ChannelMessageJson.Options);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The fields as a JSON element (parsed from the payload JSON on first use).</summary>
    public JsonElement Fields
    {
        get
        {
            if (_fields is { } fields)
            {
                return fields;
            }

            using var document = JsonDocument.Parse(PayloadJson);
            var parsed = document.RootElement.Clone();
            _fields = parsed;
            return parsed;
        }
    }

    /// <inheritdoc />
    public override string ToString() => _payloadJson is null && Volatile.Read(ref _json) is null
        ? $"{Type} {_payload}"
        : Encoding.UTF8.GetString(Json.Span);
}
