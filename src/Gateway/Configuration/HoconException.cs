namespace ActorChat.Gateway.Configuration;

/// <summary>A HOCON file could not be read; the message starts with <c>file:line:</c>.</summary>
public sealed class HoconException(string file, int line, string problem) : FormatException($"{file}:{line}: {problem}")
{
    /// <summary>The file that has the problem.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line of the problem.</summary>
    public int Line { get; } = line;
}
