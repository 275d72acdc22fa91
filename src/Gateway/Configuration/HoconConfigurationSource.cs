using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>The source for <see cref="HoconConfigurationProvider"/>.</summary>
public sealed class HoconConfigurationSource(string path, bool optional) : IConfigurationSource
{
    /// <summary>The file to read.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(Path, optional);
}
