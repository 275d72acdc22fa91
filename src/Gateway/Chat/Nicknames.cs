namespace ActorChat.Gateway.Chat;

/// <summary>The rule for nicknames, in code and in words.</summary>
public static class Nicknames
{
    /// <summary>The rule in words, for error frames.</summary>
    public const string Rule = "use 1 to 32 letters, digits, '-', '_' or '.'";

    /// <summary>How long a consumer waits for the <see cref="NicknameRegistry"/>.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True when <paramref name="nick"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string nick) =>
        nick.Length is > 0 and <= 32 && nick.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.');
}
