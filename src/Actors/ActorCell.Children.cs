namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Children by name, with restart statistics for the ones that failed; null until the first child.</summary>
    private ChildrenState? _children;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (this)
            {
                return _children is null ? [] : [.. _children.ByName.Values];
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null) => AttachChild(props, name);

    public IActorRef? Child(string name)
    {
        lock (this)
        {
            return _children is not null && _children.ByName.TryGetValue(name, out var child) ? child : null;
        }
    }

    /// <summary>Creates, registers and starts a child. Thread-safe: the system calls it on the guardian from any thread.</summary>
    public LocalActorRef AttachChild(Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is null)
        {
            name = System.NextActorName();
        }
        else
        {
            ValidateChildName(name);
        }

        var child = new ActorCell(System, props, Self, Path.Child(name));
        bool stopping;
        lock (this)
        {
            _children ??= new ChildrenState();
            if (!_children.ByName.TryAdd(name, child.Self))
            {
                throw new InvalidActorNameException($"An actor named '{name}' already exists under {Path}; names must be unique among siblings.");
            }

            stopping = _state >= StateTerminating;
        }

        child.Start();
        if (stopping)
        {
            Stop(child.Self); // a parent that is stopping takes its late children with it
        }

        return child.Self;
    }

    private bool IsChild(IActorRef actor)
    {
        lock (this)
        {
            return actor is LocalActorRef local && _children is not null
                && _children.ByName.TryGetValue(local.Path.Name, out var known) && ReferenceEquals(known, local);
        }
    }

    private List<LocalActorRef> ChildrenSnapshot()
    {
        lock (this)
        {
            return _children is null ? [] : [.. _children.ByName.Values];
        }
    }

    private void OnChildTerminated(IActorRef child)
    {
        bool none;
        lock (this)
        {
            if (_children is not null && _children.ByName.TryGetValue(child.Path.Name, out var known) && ReferenceEquals(known, child))
            {
                _children.ByName.Remove(child.Path.Name);
                _children.RestartStats?.Remove(child);
            }

            none = _children is null || _children.ByName.Count == 0;
        }

        if (_state == StateTerminating && none)
        {
            FinishTerminate();
        }
        else if (_pendingRestartCause is { } cause && !ChildrenSnapshot().Exists(c => c.Cell.StopRequested))
        {
            FinishRestart(cause);
        }
    }

    /// <summary>The restart history of <paramref name="child"/>, created on its first failure.</summary>
    private ChildRestartStats RestartStatsFor(IActorRef child)
    {
        lock (this)
        {
            var all = (_children ??= new ChildrenState()).RestartStats ??= [];
            if (!all.TryGetValue(child, out var stats))
            {
                all[child] = stats = new ChildRestartStats();
            }

            return stats;
        }
    }

    private static void ValidateChildName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('$'))
        {
            throw new InvalidActorNameException($"Actor name '{name}' is invalid: it must be non-empty, contain no '/', and not start with '$' (reserved for generated names).");
        }
    }

    private sealed class ChildrenState
    {
        public Dictionary<string, LocalActorRef> ByName { get; } = [];

        public Dictionary<IActorRef, ChildRestartStats>? RestartStats { get; set; }
    }
}
