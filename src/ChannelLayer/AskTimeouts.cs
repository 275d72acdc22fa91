using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>How long the layer waits for its own actors' answers (a join, a leave, a member list).</summary>
internal static class AskTimeouts
{
    /// <summary>Used when <c>akka.actor.ask-timeout</c> is left at Akka's default, which is infinite.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(5);

    /// <summary><c>akka.actor.ask-timeout</c> when it is set to a finite value, otherwise <see cref="Default"/>.</summary>
    public static TimeSpan For(ActorSystem system)
    {
        var configured = system.Settings.AskTimeout;
        return configured > TimeSpan.Zero && configured != Timeout.InfiniteTimeSpan ? configured : Default;
    }
}
