using ActorChat.ChannelLayer;
using ActorChat.Consumers.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Assembles a node's configuration in the documented order, lowest first: <c>hocon.conf</c>, then the
/// ASP.NET sources (appsettings, environment variables), then the command line, whose short switches
/// (<c>--port</c>, <c>--host</c>, <c>--node-id</c>, <c>--layer</c>, <c>--redis</c>, <c>--seeds</c>, <c>--remote-port</c>,
/// <c>--remote-host</c>) map onto the <c>node</c> section.
/// The file's <c>akka { }</c> section configures the actor system, with the same precedence.
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
        ["--seeds"] = "node:seeds",
        ["--remote-port"] = "node:remotePort",
        ["--remote-host"] = "node:remoteHost",
        ["--config"] = "config",
    };

    /// <summary>Puts the HOCON file under every other source and the switch mappings over them.</summary>
    /// <exception cref="HoconException">The file does not parse.</exception>
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
    /// <exception cref="InvalidConfigurationException">A value is invalid; the message names the key, the value and the expected form.</exception>
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

        try
        {
            AkkaLogLevel.For(configuration, NullLoggerFactory.Instance); // a bad akka.loglevel stops the node here, with the others
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidConfigurationException(ex.Message);
        }

        return options;
    }

    /// <summary>
    /// Binds the <c>Bridge</c> and <c>ChannelLayer</c> sections with HOCON units (<c>500ms</c>, <c>1MiB</c>) from any source;
    /// a value that does not parse stops startup naming the key, the value and the expected form.
    /// </summary>
    public static void BindOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BridgeOptions>().Configure(o => ConfigBinder.Bind(configuration.GetSection(BridgeOptions.SectionName), o));
        services.AddOptions<ChannelLayerOptions>().Configure(o => ConfigBinder.Bind(configuration.GetSection(ChannelLayerOptions.SectionName), o));
    }

    /// <summary>
    /// The actor system's configuration: the HOCON file's <c>akka { }</c> section exactly as Akka parsed it, under the
    /// <c>akka:*</c> keys of every higher source (<c>akka__loglevel=DEBUG</c> in the environment, <c>--akka:loglevel=DEBUG</c>
    /// on the command line). Keys from those sources are lower-cased and '_' becomes '-', as Akka.Hosting's
    /// configuration adapter does, so <c>AKKA__ACTOR__DEFAULT_DISPATCHER__THROUGHPUT=10</c> works too.
    /// </summary>
    public static void AddAkkaConfig(AkkaConfigurationBuilder akka, IConfigurationRoot configuration)
    {
        var providers = configuration.Providers.ToList();
        var file = providers.OfType<HoconConfigurationProvider>().FirstOrDefault();
        if (file?.Hocon.Root is { } root && root.IsObject() && root.GetObject().GetKey("akka") is { } section)
        {
            akka.AddHocon(section.AtKey("akka"), HoconAddMode.Prepend);
        }

        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers.Skip(file is null ? 0 : providers.IndexOf(file) + 1))
        {
            CollectKeys(provider, "akka", overrides);
        }

        if (overrides.Count > 0)
        {
            var higher = new ConfigurationBuilder().Add(new MemoryConfigurationSource { InitialData = overrides }).Build();
            akka.AddHocon(higher.GetSection("akka"), HoconAddMode.Prepend);
        }
    }

    private static void CollectKeys(IConfigurationProvider provider, string path, Dictionary<string, string?> into)
    {
        if (provider.TryGet(path, out var value) && value is not null)
        {
            // Spelled as the adapter will spell it, so AKKA__X__MY_KEY and --akka:x:my-key are one key and the later source wins.
            into[path.ToLowerInvariant().Replace('_', '-')] = value;
        }

        foreach (var child in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            CollectKeys(provider, ConfigurationPath.Combine(path, child), into);
        }
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
