using Microsoft.Extensions.Logging;

namespace ActorChat.Actors;

/// <summary>
/// A hierarchy of actors sharing a scheduler, an event stream and dead letters. Create one per
/// application (or per test), start top-level actors with <see cref="ActorOf"/>, and call
/// <see cref="Terminate"/> to stop everything.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly ActorCell _guardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nameCounter;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        Log = options.LoggerFactory.CreateLogger("ActorChat.Actors.ActorSystem");
        DeadLetters = new DeadLetterActorRef(this);
        Scheduler = new TimerScheduler(options.TimeProvider, () => IsTerminated);
        var guardianProps = Props.Create<GuardianActor>().WithSupervisorStrategy(options.GuardianStrategy);
        _guardian = new ActorCell(this, guardianProps, null, ActorPath.Root(name).Child("user"));
        _guardian.Start();
    }

    /// <summary>The system's name, the first element of every actor path.</summary>
    public string Name { get; }

    /// <summary>The options the system was created with.</summary>
    public ActorSystemOptions Options { get; }

    /// <summary>Publish/subscribe of system events: dead letters, unhandled messages, failures.</summary>
    public EventStream EventStream { get; } = new();

    /// <summary>Delivers messages later, once or repeatedly.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>Where undeliverable messages go; each is published as a <see cref="DeadLetter"/>.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Completes when every actor has stopped after <see cref="Terminate"/>.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>True once the system has stopped.</summary>
    public bool IsTerminated => _terminated.Task.IsCompleted;

    internal ILogger Log { get; }

    /// <summary>Creates a system.</summary>
    /// <param name="name">ASCII letters, digits, '-', '_' or '.'.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"Actor system name '{name}' may contain only ASCII letters, digits, '-', '_' and '.'.", nameof(name));
        }

        options ??= new ActorSystemOptions();
        options.Validate();
        return new ActorSystem(name, options);
    }

    /// <summary>Starts a top-level actor, supervised by the user guardian.</summary>
    /// <param name="props">How to make the actor.</param>
    /// <param name="name">A unique top-level name; generated when null.</param>
    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (IsTerminated)
        {
            throw new InvalidOperationException($"Actor system '{Name}' has terminated; it starts no new actors.");
        }

        return _guardian.AttachChild(props, name);
    }

    /// <summary>Stops <paramref name="actor"/> ahead of its queued messages (compare <see cref="PoisonPill"/>).</summary>
    public void Stop(IActorRef actor) => _guardian.Stop(actor);

    /// <summary>Stops every actor, children before parents, and completes <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        _guardian.Stop(_guardian.Self);
        return WhenTerminated;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    internal void OnGuardianTerminated() => _terminated.TrySetResult();

    internal string NextActorName() => $"${Interlocked.Increment(ref _nameCounter):x}";

    internal void PublishDeadLetter(in Envelope envelope, IActorRef recipient)
    {
        if (envelope.Message is DeadLetter)
        {
            return;
        }

        if (Log.IsEnabled(LogLevel.Debug))
        {
            ActorSystemLog.DeadLetter(Log, envelope.Message.GetType().Name, envelope.Sender?.Path.ToString() ?? "nobody", recipient.Path);
        }

        EventStream.Publish(new DeadLetter(envelope.Message, envelope.Sender, recipient));
    }
}
