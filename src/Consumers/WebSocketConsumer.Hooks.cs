using Akka.Actor;

namespace ActorChat.Consumers;

/// <summary>How a consumer runs its hooks: one at a time, on the actor, at no cost when a hook completes at once.</summary>
public abstract partial class WebSocketConsumer
{
    private HookSynchronizationContext? _hookContext;

    /// <summary>
    /// Runs <paramref name="hook"/> as part of the current message, with Akka's <c>RunTask</c> semantics: the actor takes
    /// no other message until the hook's task completes, code after an <c>await</c> runs on the actor, and a fault fails
    /// the actor. Most hooks complete at once (a chat message is a group send, done in memory), and for those
    /// <c>RunTask</c> would cost three tasks and two closures per message; so the hook is called directly, with a
    /// synchronization context that brings any continuation back to the actor, and only a hook that really waits is
    /// handed to <c>RunTask</c> (which suspends the mailbox until it completes).
    /// </summary>
    private void RunHook<TState>(Func<WebSocketConsumer, TState, Task> hook, TState state)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_hookContext ??= new HookSynchronizationContext(((ActorCell)Context).TaskScheduler));
        Task task;
        try
        {
            task = hook(this, state);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult(); // faulted or cancelled: throw here, so the actor fails as RunTask would make it
            return;
        }

        AwaitInTurn(task);
    }

    // Its own method: a lambda capturing `task` in RunHook would allocate its closure on every call, the many that complete
    // synchronously too, since C# makes a captured local's closure where the local's scope begins.
    private void AwaitInTurn(Task task) => RunTask(() => task);

    /// <summary>
    /// Where an <c>await</c> in a hook resumes: a task on the actor's own scheduler, so the rest of the hook runs on the
    /// actor (inline when already there, else as a system message, which Akka processes while the mailbox is suspended).
    /// </summary>
    private sealed class HookSynchronizationContext(TaskScheduler actor) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) =>
            Task.Factory.StartNew(static s => ((Continuation)s!).Run(), new Continuation(d, state), CancellationToken.None, TaskCreationOptions.DenyChildAttach, actor);

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("A consumer's hooks resume asynchronously; Send is not supported.");

        public override SynchronizationContext CreateCopy() => this;

        private sealed record Continuation(SendOrPostCallback Callback, object? State)
        {
            public void Run() => Callback(State);
        }
    }
}
