namespace ActorChat.Actors;

internal sealed partial class ActorCell
{
    private Dictionary<string, LocalActorRef>? _children;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (this)
            {
                return _children is null ? [] : [.. _children.Values];
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null) => AttachChild(props, name);

    public IActorRef? Child(string name)
    {
        lock (this)
        {
            return _children is not null && _children.TryGetValue(name, out var child) ? child : null;
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
            _children ??= [];
            if (!_children.TryAdd(name, child.Self))
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
                && _children.TryGetValue(local.Path.Name, out var known) && ReferenceEquals(known, local);
        }
    }

    private List<LocalActorRef> ChildrenSnapshot()
    {
        lock (this)
        {
            return _children is null ? [] : [.. _children.Values];
        }
    }

    private void OnChildTerminated(IActorRef child)
    {
        bool none;
        lock (this)
        {
            if (_children is not null && _children.TryGetValue(child.Path.Name, out var known) && ReferenceEquals(known, child))
            {
                _children.Remove(child.Path.Name);
            }

            none = _children is null || _children.Count == 0;
        }

        _restartStats?.Remove(child);
        if (_state == StateTerminating && none)
        {
            FinishTerminate();
        }
        else if (_pendingRestartCause is { } cause && !ChildrenSnapshot().Exists(c => c.Cell.StopRequested))
        {
            FinishRestart(cause);
        }
    }

    private static void ValidateChildName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('$'))
        {
            throw new InvalidActorNameException($"Actor name '{name}' is invalid: it must be non-empty, contain no '/', and not start with '$' (reserved for generated names).");
        }
    }
}
