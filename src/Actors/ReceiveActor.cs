namespace ActorChat.Actors;

/// <summary>
/// An actor whose behaviour is a list of typed handlers registered in its constructor, tried in
/// order: <c>Receive&lt;Ping&gt;(p => Sender.Tell(new Pong()))</c>.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Handler> _handlers = [];

    /// <summary>Handles messages of type <typeparamref name="T"/> (that match <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new SyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>
    /// Handles messages of type <typeparamref name="T"/> asynchronously. The actor processes no other
    /// message until the returned task completes, so handlers never interleave.
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new AsyncHandler<T>(handler, shouldHandle, Cell));
    }

    /// <summary>Handles any message no earlier handler took.</summary>
    protected void ReceiveAny(Action<object> handler) => Receive(handler);

    /// <summary>Handles any message no earlier handler took, asynchronously.</summary>
    protected void ReceiveAnyAsync(Func<object, Task> handler) => ReceiveAsync(handler);

    /// <summary>Replaces every handler with the ones <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _handlers = [];
        configure();
    }

    /// <inheritdoc />
    protected sealed override bool Receive(object message)
    {
        foreach (var handler in _handlers)
        {
            if (handler.TryHandle(message))
            {
                return true;
            }
        }

        return false;
    }

    private abstract class Handler
    {
        public abstract bool TryHandle(object message);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            handler(typed);
            return true;
        }
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle, ActorCell cell) : Handler
    {
        public override bool TryHandle(object message)
        {
            if (message is not T typed || (shouldHandle is not null && !shouldHandle(typed)))
            {
                return false;
            }

            cell.RunTask(handler(typed));
            return true;
        }
    }
}
