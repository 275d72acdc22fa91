namespace ActorChat.Actors;

/// <summary>How a parent handles its children's failures.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>
    /// The default: <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and
    /// <see cref="DeathPactException"/> stop the child; any other exception restarts it, without limit.
    /// </summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>A strategy that stops every failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(static _ => Directive.Stop);

    /// <summary>The directive <see cref="DefaultStrategy"/> gives for <paramref name="cause"/>.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>
    /// Decides what happens to <paramref name="child"/> after it threw <paramref name="cause"/>.
    /// <paramref name="stats"/> holds this child's restart history, which the strategy may update.
    /// </summary>
    internal abstract Directive Handle(IActorRef child, Exception cause, ChildRestartStats stats, DateTimeOffset now);
}
