namespace ActorChat.Actors;

/// <summary>Request/reply and forwarding on top of <see cref="IActorRef.Tell"/>.</summary>
public static class ActorRefExtensions
{
    private static long s_askCounter;

    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and waits for the first reply, which must
    /// be a <typeparamref name="T"/> (or a <see cref="Status.Failure"/>, which is thrown).
    /// </summary>
    /// <exception cref="AskTimeoutException">No reply arrived within <paramref name="timeout"/> (default: the system's <c>DefaultAskTimeout</c>).</exception>
    /// <exception cref="InvalidCastException">The reply was of another type.</exception>
    public static async Task<T> Ask<T>(this IActorRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var system = (target as LocalActorRef)?.Cell.System;
        var wait = timeout ?? system?.Options.DefaultAskTimeout ?? TimeSpan.FromSeconds(5);
        var id = Interlocked.Increment(ref s_askCounter);
        var promise = new PromiseActorRef(ActorPath.Root(target.Path.SystemName).Child("temp").Child("$ask" + id), system);
        target.Tell(message, promise);
        object reply;
        try
        {
            reply = await promise.Reply.WaitAsync(wait, system?.Options.TimeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            promise.Abandon();
            throw new AskTimeoutException($"Ask to {target.Path} with {message.GetType().Name} got no reply within {wait.TotalMilliseconds:0} ms.");
        }

        return reply switch
        {
            T typed => typed,
            Status.Failure failure => throw failure.Cause,
            _ => throw new InvalidCastException($"Ask to {target.Path} expected a {typeof(T).Name} reply but got {reply.GetType().Name}."),
        };
    }

    /// <summary>How many user messages wait in the actor's mailbox now (approximate); 0 for refs that are not local actors.</summary>
    public static int MailboxDepth(this IActorRef target) => (target as LocalActorRef)?.Cell.Mailbox.Count ?? 0;

    /// <summary>
    /// Tells <paramref name="message"/> only if the actor has fewer than <paramref name="maxQueued"/> messages
    /// waiting and is alive. Unlike <see cref="IActorRef.Tell"/>, a refused message is not a dead letter:
    /// the caller decides (a channel layer counts it as a drop, or reports the channel full).
    /// </summary>
    public static TellResult TryTell(this IActorRef target, object message, int maxQueued, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        if (target is LocalActorRef local)
        {
            return local.Cell.Mailbox.TryPost(new Envelope(message, sender), maxQueued);
        }

        target.Tell(message, sender);
        return TellResult.Delivered;
    }

    /// <summary>
    /// Tells <paramref name="message"/> to <paramref name="target"/> keeping the current message's sender.
    /// Valid only in the synchronous part of an actor's handler.
    /// </summary>
    public static void Forward(this IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        var cell = ActorCell.Current
            ?? throw new InvalidOperationException("Forward is only valid inside an actor's message handler (before any await); use Tell(message, sender) elsewhere.");
        target.Tell(message, cell.CurrentSender);
    }
}
