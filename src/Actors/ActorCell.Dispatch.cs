namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    [ThreadStatic]
    private static ActorCell? t_current;

    private object? _currentMessage;
    private IActorRef? _currentSender;
    private Task? _pendingTask;

    /// <summary>The cell processing a message on this thread (its synchronous part), for <c>Forward</c>.</summary>
    internal static ActorCell? Current => t_current;

    /// <summary>The raw sender of the current message, null when there is none.</summary>
    internal IActorRef? CurrentSender => _currentSender;

    public IActorRef Sender => _currentSender ?? System.DeadLetters;

    /// <summary>
    /// Processes one user message. Returns true when the handler started a task that is still running:
    /// the actor then belongs to that task until it completes, and the mailbox must not run it.
    /// </summary>
    public bool Invoke(in Envelope envelope)
    {
        var message = envelope.Message;
        if (message is QueuedTerminated queued)
        {
            if (!TakeQueuedTerminated(queued.Terminated.ActorRef))
            {
                return false; // unwatched after the notification was queued
            }

            message = queued.Terminated;
        }

        _currentMessage = message;
        _currentSender = envelope.Sender;
        var previous = t_current;
        t_current = this;
        try
        {
            switch (message)
            {
                case PoisonPill:
                    BeginTerminate();
                    return false;
                case Kill:
                    throw new ActorKilledException($"{Path} received Kill.");
            }

            _actor!.AroundReceive(message);
            if (_pendingTask is { } task)
            {
                _pendingTask = null;
                if (!task.IsCompleted)
                {
                    AwaitTask(task);
                    return true;
                }

                task.GetAwaiter().GetResult();
            }

            _currentMessage = null;
            _currentSender = null;
            return false;
        }
        catch (Exception ex)
        {
            _pendingTask = null;
            HandleInvokeFailure(ex);
            return false;
        }
        finally
        {
            t_current = previous;
        }
    }

    /// <summary>Processes one system message on the owning thread.</summary>
    public void SystemInvoke(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case Create:
                    CreateActor();
                    break;
                case Terminate:
                    BeginTerminate();
                    break;
                case Watch watch:
                    AddWatcher(watch.Watcher);
                    break;
                case Unwatch unwatch:
                    RemoveWatcher(unwatch.Watcher);
                    break;
                case DeathWatchNotification notification:
                    OnWatchedActorTerminated(notification.Actor);
                    break;
                case Failed failed:
                    HandleChildFailure(failed.Child, failed.Cause);
                    break;
                case Resume:
                    ResumeAfterFailure();
                    break;
                case Recreate recreate:
                    Restart(recreate.Cause);
                    break;
                case ChildTerminated childTerminated:
                    OnChildTerminated(childTerminated.Child);
                    break;
            }
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex);
        }
    }

    /// <summary>Registers a task started by the current handler; the actor takes no other message until it ends.</summary>
    internal void RunTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_pendingTask is not null)
        {
            throw new InvalidOperationException($"{Path} started two tasks for one message; await them in one task instead.");
        }

        _pendingTask = task;
    }

    private void AwaitTask(Task task)
    {
        _awaiting = true;
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => OnAwaitedTaskCompleted(task));
    }

    private void OnAwaitedTaskCompleted(Task task)
    {
        _awaiting = false;
        try
        {
            task.GetAwaiter().GetResult();
            _currentMessage = null;
            _currentSender = null;
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex);
        }

        Mailbox.ResumeAfterAwait();
    }
}
