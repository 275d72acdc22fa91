namespace ActorChat.Actors;

/// <summary>
/// The base of every actor: override <see cref="Receive"/> and the life-cycle hooks. An actor is
/// made only by its <see cref="Props"/> inside <c>ActorOf</c>, never with <c>new</c> elsewhere.
/// </summary>
public abstract class ActorBase
{
    private Receive? _behavior;

    /// <summary>Binds the new instance to the cell that is creating it.</summary>
    protected ActorBase()
    {
        Cell = ActorCell.Constructing
            ?? throw new InvalidOperationException($"{GetType().Name} must be created by ActorOf(Props.Create(...)), not with 'new'.");
    }

    internal ActorCell Cell { get; }

    /// <summary>This actor's context: self, sender, parent, children, watch and stop.</summary>
    protected IActorContext Context => Cell;

    /// <summary>This actor's own reference.</summary>
    protected IActorRef Self => Cell.Self;

    /// <summary>The sender of the current message; dead letters when it had none.</summary>
    protected IActorRef Sender => Cell.Sender;

    /// <summary>Handles a message; returns false when this actor does not handle it.</summary>
    protected abstract bool Receive(object message);

    /// <summary>Runs before the first message. The default does nothing.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Runs after the actor stopped, once its children have stopped. The default does nothing.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// Runs on the failed instance before a restart. The default stops all children and calls
    /// <see cref="PostStop"/>. The new instance is created once the stopped children are gone.
    /// </summary>
    /// <param name="reason">What the actor threw.</param>
    /// <param name="message">The message it was processing; it is not redelivered.</param>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart. The default calls <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children. The default restarts a failing child without limit.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>
    /// Called for a message no handler took. An unhandled <see cref="Terminated"/> throws
    /// <see cref="DeathPactException"/>; anything else is published as <see cref="UnhandledMessage"/>.
    /// </summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        Cell.System.EventStream.Publish(new UnhandledMessage(message, Cell.CurrentSender, Self));
    }

    /// <summary>
    /// Runs <paramref name="action"/> as part of the current message: the actor takes no other
    /// message until the task completes, and a fault fails the actor like a thrown exception.
    /// </summary>
    protected void RunTask(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Cell.RunTask(action());
    }

    /// <summary>Like <see cref="RunTask(Func{Task})"/> for a task the handler already started; saves a closure on hot paths.</summary>
    protected void RunTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Cell.RunTask(task);
    }

    internal void SetBehavior(Receive receive) => _behavior = receive;

    internal void AroundReceive(object message)
    {
        if (!(_behavior ?? Receive)(message))
        {
            Unhandled(message);
        }
    }

    internal void AroundPreStart() => PreStart();

    internal void AroundPostStop() => PostStop();

    internal void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void AroundPostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy SupervisorStrategyInternal() => SupervisorStrategy();
}
