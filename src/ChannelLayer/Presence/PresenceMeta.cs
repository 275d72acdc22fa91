using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>One connection's presence in a group: the key it shows, where it is, and since when.</summary>
/// <param name="Key">The key the connection tracked under (<see cref="PresenceInfo.Key"/>).</param>
/// <param name="Channel">The connection's channel: unique per connection, so it tells two tabs of one key apart.</param>
/// <param name="Node">The id of the node the connection is on.</param>
/// <param name="JoinedAt">When the connection was tracked, by its node's clock.</param>
/// <param name="Meta">The connection's meta object (<c>{}</c> when it gave none).</param>
public sealed record PresenceMeta(string Key, string Channel, string Node, DateTimeOffset JoinedAt, JsonElement Meta);
