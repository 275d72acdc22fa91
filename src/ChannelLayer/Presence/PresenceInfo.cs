using System.Text.Json;

namespace ActorChat.ChannelLayer;

/// <summary>
/// What a connection shows of itself in a group's presence: a <see cref="Key"/> (a user id or nickname; several
/// connections of one user share it) and a small JSON object of <see cref="Meta"/> (a status, a device).
/// </summary>
/// <param name="Key">1 to 100 characters, none of them a control character; validated when tracked.</param>
/// <param name="Meta">A JSON object of at most <see cref="ChannelLayerOptions.PresenceMetaLimit"/> bytes, or null for <c>{}</c>.</param>
public sealed record PresenceInfo(string Key, JsonElement? Meta = null);
