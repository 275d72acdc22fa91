using System.Linq.Expressions;

namespace ActorChat.Actors;

/// <summary>
/// The recipe for an actor: how to make an instance (again, on restart), which mailbox it gets,
/// and how it supervises its children. Immutable; share one instance between many actors.
/// </summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, Type actorType, MailboxOptions mailbox, SupervisorStrategy? strategy)
    {
        Factory = factory;
        ActorType = actorType;
        Mailbox = mailbox;
        SupervisorStrategy = strategy;
    }

    /// <summary>Creates a new actor instance; called at start and on every restart.</summary>
    public Func<ActorBase> Factory { get; }

    /// <summary>The type of actor this recipe makes.</summary>
    public Type ActorType { get; }

    /// <summary>The mailbox kind. The default is <see cref="MailboxOptions.Unbounded"/>.</summary>
    public MailboxOptions Mailbox { get; }

    /// <summary>How the actor supervises its children, overriding the actor's own <c>SupervisorStrategy()</c>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Props for an actor with a public parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() =>
        new(static () => new TActor(), typeof(TActor), MailboxOptions.Unbounded, null);

    /// <summary>Props for an actor made by <paramref name="factory"/>, such as <c>() => new Room(name)</c>.</summary>
    public static Props Create<TActor>(Expression<Func<TActor>> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        var compiled = factory.Compile();
        return new Props(compiled, typeof(TActor), MailboxOptions.Unbounded, null);
    }

    /// <summary>Props for an actor made by a plain delegate, without expression compilation.</summary>
    public static Props FromFactory<TActor>(Func<TActor> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(TActor), MailboxOptions.Unbounded, null);
    }

    /// <summary>Returns a copy that uses <paramref name="mailbox"/>.</summary>
    public Props WithMailbox(MailboxOptions mailbox) =>
        new(Factory, ActorType, mailbox ?? throw new ArgumentNullException(nameof(mailbox)), SupervisorStrategy);

    /// <summary>Returns a copy whose actor supervises its children with <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) =>
        new(Factory, ActorType, Mailbox, strategy ?? throw new ArgumentNullException(nameof(strategy)));
}
