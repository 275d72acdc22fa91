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
/// <see cref="ChannelMessageTypeAttribute"/>). Its fields are encoded to UTF-8 JSON at most once per instance,
/// however many members and nodes the message reaches: <see cref="PayloadJson"/>, the frame a socket usually
/// gets; a layer that crosses nodes carries the type beside those bytes. In-process readers get the original
/// object back without a JSON round trip.
/// An instance is immutable once sent and safe to share between threads.
/// </remarks>
public sealed class ChannelMessage
{
    private static readonly ConcurrentDictionary<Type, string?> s_typeNames = new();
    private static long s_encodings;

    private readonly object? _payload;
    private byte[]? _payloadJson;
    private JsonElement? _fields;

    private ChannelMessage(string type, object? payload)
    {
        Type = type;
        _payload = payload;
    }

    /// <summary>The message type, which picks the handler (<c>chat.message</c> → the handler for <c>chat.message</c>).</summary>
    public string Type { get; }

    /// <summary>The C# object the message was built from, or null for a message that arrived as JSON from another node.</summary>
    public object? Payload => _payload;

    /// <summary>How many JSON encodings all messages in this process have done; the encode-once benchmark reads it.</summary>
    public static long EncodeCount => Volatile.Read(ref s_encodings);

    /// <summary>The fields without <c>type</c>, as UTF-8 JSON: the frame a WebSocket client usually receives. Encoded once.</summary>
    public ReadOnlyMemory<byte> PayloadJson
    {
        get
        {
            EnsureEncoded();
            return _payloadJson;
        }
    }

    /// <summary>The fields' encoding as the array itself, for a layer that sends it to another node as it is.</summary>
    internal byte[] PayloadBytes
    {
        get
        {
            EnsureEncoded();
            return _payloadJson!;
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

        return new ChannelMessage(type, payload);
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

    /// <summary>
    /// A message whose fields are already UTF-8 JSON (another node's encoding, say): adopted as they are, so a
    /// receiving node neither parses nor re-encodes them. Fields are parsed only if something reads them.
    /// </summary>
    /// <exception cref="FormatException">The type is invalid or the payload is not a JSON object.</exception>
    internal static ChannelMessage FromPayloadJson(string type, byte[] payloadJson)
    {
        if (!ChannelNames.IsValidType(type))
        {
            throw new FormatException($"Message type '{type}' is invalid: use ASCII letters, digits, '-', '_' and '.'.");
        }

        if (payloadJson.Length < 2 || payloadJson[0] != (byte)'{' || payloadJson[^1] != (byte)'}')
        {
            throw new FormatException("A channel message's fields must be a JSON object.");
        }

        return new ChannelMessage(type, null) { _payloadJson = payloadJson };
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

            Volatile.Write(ref _payloadJson, ChannelMessageJson.EncodePayload(Type, _payload));

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
    public override string ToString() => Volatile.Read(ref _payloadJson) is { } json
        ? $"{Type} {Encoding.UTF8.GetString(json)}"
        : $"{Type} {_payload}";
}
