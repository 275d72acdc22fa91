namespace ActorChat.Actors;

/// <summary>
/// The life of one actor: its instance, mailbox, children, watchers and failure state. The actor
/// object holds only user code; everything that outlives a restart lives here.
/// </summary>
/// <remarks>
/// A cell's fields are touched only by the thread that currently owns its mailbox run, except the
/// children table, which <see cref="ActorSystem.ActorOf"/> also writes from outside; that table is
/// guarded by locking the cell (an internal object nothing else locks).
/// Split by concern: <c>.Dispatch</c> (messages in), <c>.Children</c>, <c>.DeathWatch</c>,
/// <c>.FaultHandling</c> (failure, restart, stop).
/// </remarks>
internal sealed partial class ActorCell : IActorContext
{
    private const int StateCreated = 0;
    private const int StateRunning = 1;
    private const int StateTerminating = 2;
    private const int StateTerminated = 3;

    private ActorBase? _actor;
    private int _state;
    private bool _suspended;
    private bool _awaiting;
    private bool _stopRequested;

    public ActorCell(ActorSystem system, Props props, LocalActorRef? parent, ActorPath path)
    {
        System = system;
        Props = props;
        ParentRef = parent;
        Path = path;
        Self = new LocalActorRef(this);
        Mailbox = new Mailbox(this, props.Mailbox);
    }

    public ActorSystem System { get; }

    public Props Props { get; }

    public ActorPath Path { get; }

    public Mailbox Mailbox { get; }

    public LocalActorRef Self { get; }

    /// <summary>The parent, or null for the user guardian, which has nobody above it.</summary>
    public LocalActorRef? ParentRef { get; }

    IActorRef IActorContext.Self => Self;

    IActorRef IActorContext.Parent => ParentRef ?? System.DeadLetters;

    public bool IsTerminated => Volatile.Read(ref _state) == StateTerminated;

    /// <summary>True when the next user message may run: started, not failed, not stopping, not awaiting.</summary>
    public bool CanProcessUserMessages => _state == StateRunning && !_suspended && !_awaiting;

    /// <summary>Queues the <see cref="Create"/> message that makes the actor instance.</summary>
    public void Start() => Mailbox.PostSystem(new Create());

    /// <summary>True once someone asked this actor to stop; a restarting parent waits for such children.</summary>
    public bool StopRequested => Volatile.Read(ref _stopRequested);

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local)
        {
            Volatile.Write(ref local.Cell._stopRequested, true);
            local.Cell.Mailbox.PostSystem(new Terminate());
        }
    }

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        (_actor ?? throw new InvalidOperationException("Become is only valid while the actor is running.")).SetBehavior(receive);
    }

    private ActorBase NewActor()
    {
        var previous = t_constructing;
        t_constructing = this;
        try
        {
            var actor = Props.Factory();
            if (!ReferenceEquals(actor.Cell, this))
            {
                throw new InvalidOperationException($"The factory for {Path} returned an actor created elsewhere; Props must create a new instance each call.");
            }

            return actor;
        }
        finally
        {
            t_constructing = previous;
        }
    }

    [ThreadStatic]
    private static ActorCell? t_constructing;

    /// <summary>The cell whose actor is being constructed on this thread, for the <see cref="ActorBase"/> constructor.</summary>
    internal static ActorCell? Constructing => t_constructing;

    public override string ToString() => Path.ToString();
}
