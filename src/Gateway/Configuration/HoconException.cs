namespace ActorChat.Gateway.Configuration;

/// <summary>A HOCON file could not be read; the message starts with <c>file:</c> (or <c>file:line:</c> when the parser gave a position).</summary>
public sealed class HoconException(string file, int? line, string problem, Exception? inner = null)
    : FormatException(line is { } at ? $"{file}:{at}: {problem}" : $"{file}: {problem}", inner)
{
    /// <summary>The file that has the problem.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line of the problem, when the parser said where it is.</summary>
    public int? Line { get; } = line;
}
