namespace ActorChat.ChannelLayer;

/// <summary>
/// The Channels naming rules. Channel and group names are ASCII letters, digits, '-', '_' and '.',
/// shorter than 100 characters. A channel name may contain one '!': it marks a process-local
/// channel, and the part before it names the process. Group names never contain '!'.
/// </summary>
public static class ChannelNames
{
    /// <summary>Names must be shorter than this many characters.</summary>
    public const int LengthLimit = 100;

    /// <summary>Throws <see cref="InvalidChannelNameException"/> unless <paramref name="name"/> is a valid channel name.</summary>
    public static void ValidateChannel(string name) => Validate("Channel", name, allowBang: true);

    /// <summary>Throws <see cref="InvalidChannelNameException"/> unless <paramref name="name"/> is a valid group name.</summary>
    public static void ValidateGroup(string name) => Validate("Group", name, allowBang: false);

    /// <summary>Throws unless <paramref name="type"/> is a valid message type such as <c>chat.message</c> (same characters as a group name).</summary>
    public static void ValidateType(string type) => Validate("Message type", type, allowBang: false);

    /// <summary>True for a process-local channel name, one that contains '!'.</summary>
    public static bool IsProcessLocal(string name) => name.Contains('!');

    /// <summary>A new process-local name <c>prefix.node!random</c> for a layer that spans nodes: the name says which node owns it.</summary>
    internal static string NewProcessLocal(string prefix, string nodeId)
    {
        ValidateGroup(prefix);
        return $"{prefix}.{nodeId}!{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";
    }

    /// <summary>The node id in a process-local name <c>prefix.node!suffix</c>, as the layers that span nodes make them.</summary>
    internal static string NodeOf(string processLocalName)
    {
        var bang = processLocalName.IndexOf('!');
        var dot = processLocalName.LastIndexOf('.', bang);
        return processLocalName[(dot + 1)..bang];
    }

    /// <summary>Refuses a process-local channel of another node where only its own node can act on it.</summary>
    /// <exception cref="NotSupportedException">The channel belongs to another node.</exception>
    internal static void RefuseOtherNodes(string channel, string nodeId, string what)
    {
        if (IsProcessLocal(channel) && NodeOf(channel) is var owner && owner != nodeId)
        {
            throw new NotSupportedException($"Channel '{channel}' is process-local to node '{owner}'; it can only be {what} on that node.");
        }
    }

    /// <summary>True when <paramref name="name"/> is a valid group name.</summary>
    public static bool IsValidGroup(string? name) => name is not null && Check(name, allowBang: false) is null;

    /// <summary>True when <paramref name="type"/> is a valid message type (the same characters as a group name).</summary>
    public static bool IsValidType(string? type) => IsValidGroup(type);

    private static void Validate(string kind, string? name, bool allowBang)
    {
        if (name is null)
        {
            throw new InvalidChannelNameException(kind, "", "it is null.");
        }

        if (Check(name, allowBang) is { } rule)
        {
            throw new InvalidChannelNameException(kind, name, rule);
        }
    }

    private static string? Check(string name, bool allowBang)
    {
        if (name.Length == 0)
        {
            return "it is empty.";
        }

        if (name.Length >= LengthLimit)
        {
            return $"it is {name.Length} characters long; names must be shorter than {LengthLimit}.";
        }

        var bang = -1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            {
                continue;
            }

            if (c == '!' && allowBang)
            {
                if (bang >= 0)
                {
                    return $"it has a second '!' at position {i}; a process-local channel name has exactly one.";
                }

                if (i == 0)
                {
                    return "it starts with '!'; a process-local channel name needs a prefix before the '!'.";
                }

                bang = i;
                continue;
            }

            if (c == '!')
            {
                return $"it has '!' at position {i}; only channel names may be process-local, never group names or types.";
            }

            return $"it has '{(char.IsControl(c) ? '?' : c)}' (U+{(int)c:X4}) at position {i}; names may contain only ASCII letters, digits, '-', '_' and '.'" +
                (allowBang ? ", plus one '!' in a process-local channel name." : ".");
        }

        return null;
    }
}
