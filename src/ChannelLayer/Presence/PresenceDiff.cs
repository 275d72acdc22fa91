namespace ActorChat.ChannelLayer;

/// <summary>
/// The <c>presence.diff</c> message a group's members receive when connections are tracked in the group or leave it, in
/// Phoenix's shape: <c>{"group": "lobby", "joins": {"ada": {"metas": [...]}}, "leaves": {"bob": {"metas": [...]}}, "event": "presence_diff"}</c>.
/// Its fields, encoded once per node like any group message, are the frame a consumer can forward as it is
/// (<c>SendFieldsAsync</c>).
/// </summary>
/// <remarks>
/// Each meta that joins or leaves is in exactly one diff, and each member receives that diff once. A diff lists
/// connections, not keys: a user with two tabs who closes one is a leave of that tab's meta while the key stays. A key is
/// present while it has a meta, so a client keeps the list by folding the diffs into it (as phoenix.js's
/// <c>Presence.syncDiff</c> does, and the chat page) and drops a key whose last meta left.
/// </remarks>
/// <param name="Group">The group the diff is for.</param>
/// <param name="Joins">Metas that joined, by key.</param>
/// <param name="Leaves">Metas that left, by key.</param>
[ChannelMessageType(MessageType)]
public sealed record PresenceDiff(string Group, IReadOnlyDictionary<string, PresenceMetas> Joins, IReadOnlyDictionary<string, PresenceMetas> Leaves)
{
    /// <summary>The message type: <c>presence.diff</c>.</summary>
    public const string MessageType = "presence.diff";

    /// <summary>Always <c>presence_diff</c> (Phoenix's event name), so a client tells a diff frame from other frames.</summary>
    public string Event => "presence_diff";
}

/// <summary>The metas of one key in a <see cref="PresenceDiff"/>.</summary>
/// <param name="Metas">The metas, oldest first.</param>
public sealed record PresenceMetas(IReadOnlyList<PresenceMeta> Metas);
