using System.Text;

namespace ActorChat.Actors;

/// <summary>
/// The hierarchical name of an actor, such as <c>actorchat://chat/user/room/member</c>.
/// The string form is built on first use, so an idle actor does not pay for it.
/// </summary>
public sealed class ActorPath
{
    private string? _text;

    internal ActorPath(string systemName, string name, ActorPath? parent)
    {
        SystemName = systemName;
        Name = name;
        Parent = parent;
    }

    /// <summary>The name of the actor system the path belongs to.</summary>
    public string SystemName { get; }

    /// <summary>The last element of the path: the actor's own name.</summary>
    public string Name { get; }

    /// <summary>The parent's path, or <see langword="null"/> for a root path.</summary>
    public ActorPath? Parent { get; }

    /// <summary>Creates the path of a child named <paramref name="name"/>.</summary>
    public ActorPath Child(string name) => new(SystemName, name, this);

    /// <inheritdoc />
    public override string ToString() => _text ??= Build();

    private string Build()
    {
        var parts = new Stack<string>();
        for (var p = this; p is not null; p = p.Parent)
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
