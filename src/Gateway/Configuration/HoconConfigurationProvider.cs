using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Loads a HOCON file into <see cref="IConfiguration"/> with Akka.NET's own parser (<c>Akka.Configuration</c>):
/// <c>a.b = 1</c> becomes key <c>a:b</c>, list items <c>a:0</c>, <c>a:1</c>. The parsed <see cref="Hocon"/> is kept, so
/// the <c>akka { }</c> section reaches the actor system exactly as written (see <see cref="NodeConfiguration.AddAkkaConfig"/>).
/// </summary>
public sealed partial class HoconConfigurationProvider(string path, bool optional) : ConfigurationProvider
{
    // Akka's parser resolves a substitution by path only; one that names an enclosing object would recurse forever.
    private const int MaxDepth = 32;

    // Akka's parser loops forever on some malformed files (a list left open before another key, seen with 1.5.75),
    // so it runs on a thread of its own and a file it has not read by then is reported, not waited for.
    private static readonly TimeSpan ParseDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The file as Akka parsed it; empty before <see cref="Load"/> or when an optional file is missing.</summary>
    public Config Hocon { get; private set; } = Config.Empty;

    /// <summary>The file this provider reads.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public override void Load()
    {
        Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(Path))
        {
            if (optional)
            {
                return;
            }

            throw new FileNotFoundException($"The HOCON configuration file {Path} does not exist.", Path);
        }

        var text = File.ReadAllText(Path);
        Hocon = Parse(text, Path);
        Flatten(Hocon.Root, prefix: null, depth: 0);
    }

    private static Config Parse(string text, string file)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file)) ?? ".";
        var parsing = new Task<Config>(() => ConfigurationFactory.ParseString(text, include => IncludeFrom(directory, include)), TaskCreationOptions.LongRunning);
        parsing.Start(TaskScheduler.Default);
        try
        {
            if (!parsing.Wait(ParseDeadline))
            {
                throw new HoconException(file, null, $"Akka's HOCON parser did not finish within {ParseDeadline.TotalSeconds:0} s; look for a list '[' that is not closed.");
            }

            return parsing.Result;
        }
        catch (AggregateException aggregate) when (aggregate.InnerException is { } ex &&
            ex is ConfigurationException or FormatException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            var message = ex.Message.Split('\n', 2)[0].Trim();
            var at = Position().Match(ex.Message);
            int? line = at.Success ? text[..Math.Min(text.Length, int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture))].Count(c => c == '\n') + 1 : null;
            throw new HoconException(file, line, message, ex);
        }
    }

    /// <summary><c>include "other.conf"</c> reads a file beside the including one; a missing file includes nothing, as in HOCON.</summary>
    private static HoconRoot IncludeFrom(string directory, string include)
    {
        var name = include.Trim().Trim('"');
        var included = System.IO.Path.Combine(directory, name);
        var config = File.Exists(included) ? ConfigurationFactory.ParseString(File.ReadAllText(included)) : Config.Empty;
        return new HoconRoot(config.Root, config.Substitutions);
    }

    private void Flatten(HoconValue value, string? prefix, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new HoconException(Path, null, $"{prefix} nests deeper than {MaxDepth} levels: a substitution refers to an object that encloses it.");
        }

        if (value.Values.OfType<HoconSubstitution>().FirstOrDefault(s => string.IsNullOrEmpty(s.Path) || s.ResolvedValue is null) is { } unresolved)
        {
            throw new HoconException(Path, null,
                $"{prefix} = ${{{unresolved.Path}}} cannot be resolved: Akka's HOCON parser resolves ${{path}} only to keys of the same file, and does not read ${{?path}} or the environment. Set it with an environment variable ({prefix?.Replace(":", "__", StringComparison.Ordinal)}=...) or a command-line switch instead.");
        }

        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Flatten(child, prefix is null ? key : ConfigurationPath.Combine(prefix, key), depth + 1);
            }
        }
        else if (value.IsArray())
        {
            var index = 0;
            foreach (var item in value.GetArray())
            {
                Flatten(item, ConfigurationPath.Combine(prefix ?? "", (index++).ToString(CultureInfo.InvariantCulture)), depth + 1);
            }
        }
        else if (prefix is not null)
        {
            var text = value.IsEmpty ? null : value.GetString();
            Data[prefix] = text == "null" ? null : text;
        }
    }

    [GeneratedRegex(@"position (\d+)")]
    private static partial Regex Position();
}
