using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>Loads a HOCON file into <see cref="IConfiguration"/>: <c>a.b = 1</c> becomes key <c>a:b</c>, list items <c>a:0</c>, <c>a:1</c>.</summary>
public sealed class HoconConfigurationProvider(string path, bool optional) : ConfigurationProvider
{
    /// <inheritdoc />
    public override void Load()
    {
        if (!File.Exists(path))
        {
            if (optional)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                return;
            }

            throw new FileNotFoundException($"The HOCON configuration file {path} does not exist.", path);
        }

        Data = HoconParser.Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }
}
