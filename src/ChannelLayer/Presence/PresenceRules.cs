using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>The checks on what a connection tracks, made at the call so a bad key or meta fails there with its reason.</summary>
internal static class PresenceRules
{
    /// <summary>The longest key, in characters.</summary>
    public const int KeyLengthLimit = 100;

    private static readonly JsonElement s_emptyMeta = JsonDocument.Parse("{}").RootElement.Clone();

    private static readonly Comparison<PresenceMeta> s_oldestFirst = static (a, b) =>
        a.JoinedAt != b.JoinedAt ? a.JoinedAt.CompareTo(b.JoinedAt) : string.CompareOrdinal(a.Channel, b.Channel);

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
    /// <remarks>
    /// One sort of an array and one pass, not LINQ's ordering and grouping: every joiner of a room gets the whole list, so
    /// this runs over all of a 5,000-member room for each of them.
    /// </remarks>
    public static IReadOnlyList<PresenceEntry> ToEntries(IEnumerable<PresenceMeta> metas)
    {
        var sorted = metas.ToArray();
        Array.Sort(sorted, s_oldestFirst);
        var entries = new List<PresenceEntry>(sorted.Length);
        var byKey = new Dictionary<string, List<PresenceMeta>>(sorted.Length, StringComparer.Ordinal);
        foreach (var meta in sorted)
        {
            if (byKey.TryGetValue(meta.Key, out var ofKey))
            {
                ofKey.Add(meta); // a second connection of the key: its list is already in the entry
                continue;
            }

            byKey[meta.Key] = ofKey = new List<PresenceMeta>(1) { meta };
            entries.Add(new PresenceEntry(meta.Key, ofKey));
        }

        return entries;
    }

    /// <summary>Metas by key, for a <see cref="PresenceDiff"/>.</summary>
    public static IReadOnlyDictionary<string, PresenceMetas> ByKey(IEnumerable<PresenceMeta> metas) =>
        ToEntries(metas).ToDictionary(e => e.Key, e => new PresenceMetas(e.Metas), StringComparer.Ordinal);
}
