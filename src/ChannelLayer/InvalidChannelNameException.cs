namespace ActorChat.ChannelLayer;

/// <summary>A channel or group name broke one of the Channels naming rules; <see cref="Rule"/> says which.</summary>
public sealed class InvalidChannelNameException(string kind, string name, string rule)
    : ArgumentException($"{kind} name '{Shorten(name)}' is invalid: {rule}")
{
    /// <summary>The offending name.</summary>
    public string InvalidName { get; } = name;

    /// <summary>The rule it broke, in words.</summary>
    public string Rule { get; } = rule;

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
