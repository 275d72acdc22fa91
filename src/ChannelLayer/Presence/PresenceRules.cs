using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>The checks on what a connection tracks, made at the call so a bad key or meta fails there with its reason.</summary>
internal static class PresenceRules
{
    /// <summary>The longest key, in characters.</summary>
    public const int KeyLengthLimit = 100;

    private static readonly JsonElement s_emptyMeta = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The key and meta to store: the meta cloned (so it outlives the caller's document) or <c>{}</c>.</summary>
    /// <exception cref="InvalidPresenceException">The key or the meta breaks a rule.</exception>
    public static (string Key, JsonElement Meta) Check(PresenceInfo presence, int metaLimit)
    {
        ArgumentNullException.ThrowIfNull(presence);
        var key = presence.Key;
        if (string.IsNullOrEmpty(key) || key.Length > KeyLengthLimit || key.Any(char.IsControl) || key.Trim().Length != key.Length)
        {
            throw new InvalidPresenceException(
                $"Presence key '{key}' is not valid: use 1 to {KeyLengthLimit} characters, no control characters and no leading or trailing space.");
        }

        if (presence.Meta is not { } meta || meta.ValueKind == JsonValueKind.Undefined)
        {
            return (key, s_emptyMeta);
        }

        if (meta.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidPresenceException($"Presence meta for '{key}' must be a JSON object, but it is {meta.ValueKind}.");
        }

        var size = JsonSerializer.SerializeToUtf8Bytes(meta).Length;
        if (size > metaLimit)
        {
            throw new InvalidPresenceException(
                $"Presence meta for '{key}' is {size} bytes; the limit is {metaLimit} ({ChannelLayerOptions.SectionName}:PresenceMetaLimit).");
        }

        return (key, meta.Clone());
    }

    /// <summary>Groups metas by key, keys in order of their oldest meta, each key's metas oldest first.</summary>
    public static IReadOnlyList<PresenceEntry> ToEntries(IEnumerable<PresenceMeta> metas) =>
        [.. metas.OrderBy(m => m.JoinedAt).ThenBy(m => m.Channel, StringComparer.Ordinal)
            .GroupBy(m => m.Key, StringComparer.Ordinal)
            .Select(g => new PresenceEntry(g.Key, [.. g]))];

    /// <summary>Metas by key, for a <see cref="PresenceDiff"/>.</summary>
    public static IReadOnlyDictionary<string, PresenceMetas> ByKey(IEnumerable<PresenceMeta> metas) =>
        ToEntries(metas).ToDictionary(e => e.Key, e => new PresenceMetas(e.Metas), StringComparer.Ordinal);
}
