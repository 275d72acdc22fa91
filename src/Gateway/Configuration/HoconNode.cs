namespace ActorChat.Gateway.Configuration;

/// <summary>A parsed HOCON value, before substitutions are resolved.</summary>
internal abstract record HoconNode(int Line);

/// <summary>An object: fields in file order; later fields override, objects merge.</summary>
internal sealed record HoconObject(int Line) : HoconNode(Line)
{
    public Dictionary<string, HoconNode> Fields { get; } = new(StringComparer.Ordinal);
}

/// <summary>A list.</summary>
internal sealed record HoconArray(int Line, List<HoconNode> Items) : HoconNode(Line);

/// <summary>A string, number, boolean or null; <see cref="Text"/> is null for an unquoted <c>null</c>.</summary>
internal sealed record HoconScalar(int Line, string? Text) : HoconNode(Line);

/// <summary><c>${path}</c> or, optional, <c>${?path}</c>: another key's value or an environment variable.</summary>
internal sealed record HoconSubstitution(int Line, string Path, bool Optional) : HoconNode(Line);

/// <summary>Adjacent values joined into one string, such as <c>"http://"${host}</c>.</summary>
internal sealed record HoconConcat(int Line, List<HoconNode> Parts) : HoconNode(Line);
