namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Set while a restart waits for the children that <c>PreRestart</c> stopped.</summary>
    private Exception? _pendingRestartCause;

    private void CreateActor()
    {
        try
        {
            _actor = NewActor();
            _state = StateRunning;
            _actor.AroundPreStart();
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(new ActorInitializationException(Path, ex));
        }
    }

    /// <summary>
    /// An exception escaped the actor. It never reaches the sender: the actor is suspended and its
    /// parent is told, and the parent's strategy decides what happens next.
    /// </summary>
    private void HandleInvokeFailure(Exception cause)
    {
        ActorSystemLog.ActorFailed(System.Log, Path, _currentMessage?.GetType().Name ?? "(none)", cause);
        System.EventStream.Publish(new ActorFailed(Self, cause, _currentMessage));
        if (_state >= StateTerminating)
        {
            return; // failing while stopping changes nothing
        }

        _suspended = true;
        if (ParentRef is null || !ParentRef.Cell.Mailbox.PostSystem(new Failed(Self, cause)))
        {
            // The guardian has nobody above it; it keeps serving. A child whose parent is gone stops.
            if (ParentRef is null)
            {
                _suspended = false;
            }
            else
            {
                BeginTerminate();
            }
        }
    }

    private void HandleChildFailure(IActorRef child, Exception cause)
    {
        if (!IsChild(child) || _state >= StateTerminating)
        {
            return;
        }

        var strategy = Props.SupervisorStrategy ?? _actor?.SupervisorStrategyInternal() ?? SupervisorStrategy.DefaultStrategy;
        var stats = RestartStatsFor(child);
        var directive = strategy.Handle(child, cause, stats, System.Options.TimeProvider.GetUtcNow());
        if (directive == Directive.Escalate && ParentRef is null)
        {
            ActorSystemLog.EscalatedToGuardian(System.Log, child.Path, cause.GetType().Name);
            directive = Directive.Stop;
        }

        ActorSystemLog.SupervisorDirective(System.Log, Path, directive, child.Path, cause.GetType().Name);
        var childMailbox = ((LocalActorRef)child).Cell.Mailbox;
        switch (directive)
        {
            case Directive.Resume:
                childMailbox.PostSystem(new Resume());
                break;
            case Directive.Restart:
                childMailbox.PostSystem(new Recreate(cause));
                break;
            case Directive.Stop:
                childMailbox.PostSystem(new Terminate());
                break;
            case Directive.Escalate:
                HandleInvokeFailure(cause);
                break;
        }
    }

    private void ResumeAfterFailure()
    {
        if (!_suspended || _pendingRestartCause is not null)
        {
            return;
        }

        _suspended = false;
        _currentMessage = null;
        _currentSender = null;
        foreach (var child in ChildrenSnapshot())
        {
            child.Cell.Mailbox.PostSystem(new Resume()); // children waiting on an escalation go on too
        }
    }

    /// <summary>Replaces the failed instance with a fresh one; the mailbox and its queued messages stay.</summary>
    private void Restart(Exception cause)
    {
        if (_state >= StateTerminating)
        {
            return;
        }

        if (_actor is { } failed)
        {
            try
            {
                failed.AroundPreRestart(cause, _currentMessage);
            }
            catch (Exception ex)
            {
                ActorSystemLog.LifecycleHookFailed(System.Log, Path, "PreRestart", ex);
            }
        }

        _actor = null;
        _currentMessage = null;
        _currentSender = null;
        if (ChildrenSnapshot().Exists(c => c.Cell.StopRequested))
        {
            // Like Akka: the new instance starts only once the old children are gone, so it can reuse their names.
            _pendingRestartCause = cause;
            return;
        }

        FinishRestart(cause);
    }

    private void FinishRestart(Exception cause)
    {
        _pendingRestartCause = null;
        _suspended = false;
        try
        {
            _actor = NewActor();
            _state = StateRunning;
            _actor.AroundPostRestart(cause);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(new ActorInitializationException(Path, ex));
        }
    }

    /// <summary>Starts stopping: children first; <see cref="FinishTerminate"/> runs once the last one has stopped.</summary>
    private void BeginTerminate()
    {
        if (_state >= StateTerminating)
        {
            return;
        }

        _state = StateTerminating;
        var children = ChildrenSnapshot();
        if (children.Count == 0)
        {
            FinishTerminate();
            return;
        }

        foreach (var child in children)
        {
            child.Cell.Mailbox.PostSystem(new Terminate());
        }
    }

    private void FinishTerminate()
    {
        if (_actor is { } actor)
        {
            try
            {
                actor.AroundPostStop();
            }
            catch (Exception ex)
            {
                ActorSystemLog.LifecycleHookFailed(System.Log, Path, "PostStop", ex);
            }
        }

        Volatile.Write(ref _state, StateTerminated);
        for (var pending = Mailbox.Close(); pending is not null; pending = pending.Next)
        {
            HandleSystemMessageAfterStop(pending);
        }

        NotifyWatchersAndUnwatchAll();
        _actor = null;
        _currentMessage = null;
        _currentSender = null;
        if (ParentRef is null)
        {
            System.OnGuardianTerminated();
        }
        else
        {
            ParentRef.Cell.Mailbox.PostSystem(new ChildTerminated(Self));
        }
    }
}
