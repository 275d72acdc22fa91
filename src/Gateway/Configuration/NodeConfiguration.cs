using ActorChat.Consumers.Hosting;
using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Assembles a node's configuration in the documented order, lowest first: <c>hocon.conf</c>, then the
/// ASP.NET sources (appsettings, environment variables), then the command line, whose short switches
/// (<c>--port</c>, <c>--host</c>, <c>--node-id</c>, <c>--layer</c>, <c>--redis</c>) map onto the <c>node</c> section.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>The environment variable that names the HOCON file, instead of the search for <c>hocon.conf</c>.</summary>
    public const string ConfigFileVariable = "ACTORCHAT_CONFIG";

    /// <summary>The command-line switches and the keys they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--port"] = "node:port",
        ["--host"] = "node:host",
        ["--node-id"] = "node:id",
        ["--layer"] = "node:layer",
        ["--redis"] = "node:redis",
        ["--config"] = "config",
    };

    /// <summary>Puts the HOCON file under every other source and the switch mappings over them.</summary>
    public static void Apply(ConfigurationManager configuration, string[] args)
    {
        configuration.AddCommandLine(args, SwitchMappings.ToDictionary());
        var file = configuration["config"] ?? Environment.GetEnvironmentVariable(ConfigFileVariable) ?? FindHoconFile();
        if (file is not null)
        {
            configuration.Sources.Insert(0, new HoconConfigurationSource(Path.GetFullPath(file), optional: false));
        }
    }

    /// <summary>Reads and validates the <c>node</c> section; throws naming each bad key.</summary>
    public static NodeOptions ReadNodeOptions(IConfiguration configuration)
    {
        var options = new NodeOptions();
        ConfigBinder.Bind(configuration.GetSection(NodeOptions.SectionName), options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidConfigurationException("Invalid node configuration: " + string.Join(" ", errors));
        }

        if (options.Id.Length == 0)
        {
            options.Id = "node-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        }

        return options;
    }

    /// <summary>Looks for <c>hocon.conf</c> in the working directory, the app's directory, and their parents.</summary>
    private static string? FindHoconFile()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "hocon.conf");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
