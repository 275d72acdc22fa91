namespace ActorChat.ChannelLayer.Rooms;

/// <summary>A room's members at one moment: channels bound to actors, and plain channels with the time of their last join.</summary>
/// <param name="bound">An array whose first <paramref name="boundCount"/> elements are the bound members (the room may fill the rest later).</param>
/// <param name="boundCount">How many of <paramref name="bound"/> this snapshot holds.</param>
/// <param name="plain">The plain members.</param>
internal sealed class RoomMembers(ChannelBinding[] bound, int boundCount, PlainMember[] plain)
{
    public static readonly RoomMembers Empty = new([], 0, []);

    /// <summary>The channels bound to actors.</summary>
    public ReadOnlySpan<ChannelBinding> Bound => bound.AsSpan(0, boundCount);

    public PlainMember[] Plain { get; } = plain;
}

/// <summary>A plain channel in a group (no actor bound: a worker's or another process's), until <see cref="ChannelLayerOptions.GroupExpiry"/> after <see cref="Joined"/>.</summary>
internal readonly record struct PlainMember(string Channel, DateTimeOffset Joined);
