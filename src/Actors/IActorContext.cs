namespace ActorChat.Actors;

/// <summary>What an actor knows about itself and its place in the hierarchy. Only valid inside the actor.</summary>
public interface IActorContext
{
    /// <summary>This actor's own reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being processed; <see cref="ActorSystem.DeadLetters"/> when there is none.</summary>
    IActorRef Sender { get; }

    /// <summary>This actor's parent (its supervisor).</summary>
    IActorRef Parent { get; }

    /// <summary>The system this actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>A snapshot of this actor's live children.</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>Starts a child actor that this actor supervises.</summary>
    /// <param name="props">How to make the child.</param>
    /// <param name="name">A unique name among siblings; generated when null.</param>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>The live child named <paramref name="name"/>, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>Asks for one <see cref="Terminated"/> when <paramref name="subject"/> stops, even if it already has.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Withdraws a <see cref="Watch"/>; no <see cref="Terminated"/> for <paramref name="subject"/> is received after this.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Stops <paramref name="actor"/> (usually self or a child) ahead of its queued messages.</summary>
    void Stop(IActorRef actor);

    /// <summary>Replaces the actor's behaviour for the following messages.</summary>
    void Become(Receive receive);
}
