namespace ActorChat.ChannelLayer;

/// <summary>A key present in a group, with one meta per connection that tracked it (a user with two tabs has two).</summary>
/// <param name="Key">The key.</param>
/// <param name="Metas">Its connections, oldest first; never empty.</param>
public sealed record PresenceEntry(string Key, IReadOnlyList<PresenceMeta> Metas);
