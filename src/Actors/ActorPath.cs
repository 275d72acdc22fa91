using System.Text;

namespace ActorChat.Actors;

/// <summary>
/// The hierarchical name of an actor, such as <c>actorchat://chat/user/room/member</c>.
/// A path is two references (name and parent) and its string form is built only when asked for,
/// because every actor has one and most are never printed.
/// </summary>
public sealed class ActorPath
{
    private ActorPath(string name, ActorPath? parent)
    {
        Name = name;
        Parent = parent;
    }

    /// <summary>The last element of the path: the actor's own name (the system's name for a root).</summary>
    public string Name { get; }

    /// <summary>The parent's path, or <see langword="null"/> for the root, which stands for the system.</summary>
    public ActorPath? Parent { get; }

    /// <summary>The name of the actor system the path belongs to.</summary>
    public string SystemName => Parent is null ? Name : Parent.SystemName;

    /// <summary>The root path of the system named <paramref name="systemName"/>.</summary>
    public static ActorPath Root(string systemName) => new(systemName, null);

    /// <summary>Creates the path of a child named <paramref name="name"/>.</summary>
    public ActorPath Child(string name) => new(name, this);

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new Stack<string>();
        for (var p = this; p.Parent is not null; p = p.Parent)
        {
            parts.Push(p.Name);
        }

        var sb = new StringBuilder("actorchat://").Append(SystemName);
        foreach (var part in parts)
        {
            sb.Append('/').Append(part);
        }

        return sb.ToString();
    }
}
