using Akka.Actor;

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// Adds <see cref="Channel"/> to <see cref="Group"/>; <see cref="Binding"/> is its actor binding, if any. Answered with
/// <see cref="Joined"/>, or, when <see cref="Then"/> is given, handed on to it once the member is in.
/// </summary>
internal sealed record JoinGroup(string Group, string Channel, ChannelBinding? Binding, HandOn? Then = null);

/// <summary>
/// What a room tells on after a join or a leave, on the asker's behalf: <see cref="Target"/> answers the asker instead
/// of the room, so a membership change and the work that follows it (tracking presence, ending it) cost the asker one
/// round trip. A join's <see cref="WhenStopped"/>, when given, is told to <see cref="Target"/> if the member's actor
/// stops while in the room: the room's own death watch serves the target, which need not watch the actor too.
/// </summary>
internal sealed record HandOn(IActorRef Target, object Message, object? WhenStopped = null)
{
    /// <summary>Answers <paramref name="asker"/> with <paramref name="answer"/>, or hands <paramref name="then"/> on to answer it.</summary>
    public static void Answer(IActorRef asker, object answer, HandOn? then)
    {
        if (then is null)
        {
            asker.Tell(answer);
        }
        else
        {
            then.Target.Tell(then.Message, asker);
        }
    }
}

/// <summary>The answer to <see cref="JoinGroup"/>: the member is in, and later group sends reach it.</summary>
internal sealed class Joined
{
    public static readonly Joined Instance = new();
}

/// <summary>
/// Removes <see cref="Channel"/> from <see cref="Group"/>. Answered with <see cref="Left"/>, or, when <see cref="Then"/>
/// is given, handed on to it once the member is out (also when the group has no room here).
/// </summary>
internal sealed record LeaveGroup(string Group, string Channel, HandOn? Then = null);

/// <summary>The answer to <see cref="LeaveGroup"/>.</summary>
internal sealed class Left
{
    public static readonly Left Instance = new();
}

/// <summary>Asks for the channels in <see cref="Group"/> on this node; answered with an <see cref="IReadOnlyCollection{T}"/> of names.</summary>
internal sealed record GetMembers(string Group);

/// <summary>
/// A room tells the mediator it has no members left. <see cref="Joins"/> is how many joins the room had
/// processed, so the mediator can tell whether a join is still on its way and the room must stay.
/// </summary>
internal sealed record RoomEmpty(string Group, IActorRef Room, long Joins);

/// <summary>Makes the mediator watch a bound actor, so its binding ends when it stops.</summary>
internal sealed record WatchBinding(string Channel, IActorRef Actor);

/// <summary>Stops every room; answered with <see cref="Flushed"/>.</summary>
internal sealed class FlushRooms
{
    public static readonly FlushRooms Instance = new();
}

/// <summary>The answer to <see cref="FlushRooms"/>.</summary>
internal sealed class Flushed
{
    public static readonly Flushed Instance = new();
}
