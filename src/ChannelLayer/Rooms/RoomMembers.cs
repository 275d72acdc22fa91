namespace ActorChat.ChannelLayer.Rooms;

/// <summary>A room's members at one moment: channels bound to actors, and plain channels with the time of their last join.</summary>
internal sealed class RoomMembers(ChannelBinding[] bound, PlainMember[] plain)
{
    public static readonly RoomMembers Empty = new([], []);

    public ChannelBinding[] Bound { get; } = bound;

    public PlainMember[] Plain { get; } = plain;
}

/// <summary>A plain channel in a group (no actor bound: a worker's or another process's), until <see cref="ChannelLayerOptions.GroupExpiry"/> after <see cref="Joined"/>.</summary>
internal readonly record struct PlainMember(string Channel, DateTimeOffset Joined);
