using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Binds an options object from a configuration section with <see cref="ConfigValues"/> parsing, so
/// <c>60s</c> and <c>1MiB</c> work from any source. A value that does not parse stops startup with an
/// <see cref="InvalidConfigurationException"/> naming the key, the value, and the expected form.
/// </summary>
public static class ConfigBinder
{
    /// <summary>Sets each public property of <paramref name="target"/> that <paramref name="section"/> has a value for.</summary>
    public static void Bind(IConfigurationSection section, object target)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The user's own spelling of the key (node:port, not node:Port), so errors quote what they wrote.
            var child = section.GetChildren().FirstOrDefault(c => string.Equals(c.Key, property.Name, StringComparison.OrdinalIgnoreCase));
            if (child is null || (child.Value is null && !child.GetChildren().Any()))
            {
                continue;
            }

            var type = property.PropertyType;
            if (type == typeof(string[]))
            {
                // A list written as one value (--redis a:1,b:2 or REDIS=a:1) overrides a list from a lower source
                // (hocon's [..] gives indexed children only), so a scalar value wins when both are present.
                property.SetValue(target, child.Value is not null
                    ? SplitList(child.Value)
                    : child.GetChildren().Select(c => c.Value ?? "").ToArray());
            }
            else if (type == typeof(Dictionary<string, int>))
            {
                var map = (Dictionary<string, int>)property.GetValue(target)!;
                foreach (var entry in child.GetChildren())
                {
                    map[entry.Key] = Parse<int>(entry, ConfigValues.TryParseSize, ConfigValues.SizeForm);
                }
            }
            else if (property.CanWrite)
            {
                property.SetValue(target, Convert(child, type));
            }
        }
    }

    private static object? Convert(IConfigurationSection key, Type type)
    {
        if (type == typeof(string))
        {
            return key.Value;
        }

        if (type == typeof(int))
        {
            return Parse<int>(key, ConfigValues.TryParseSize, ConfigValues.SizeForm);
        }

        if (type == typeof(TimeSpan))
        {
            return Parse<TimeSpan>(key, ConfigValues.TryParseDuration, ConfigValues.DurationForm);
        }

        if (type == typeof(bool))
        {
            return Parse<bool>(key, ConfigValues.TryParseBool, "true or false");
        }

        throw new InvalidOperationException($"Configuration key {key.Path} has a type ({type.Name}) the binder does not know.");
    }

    private delegate bool TryParse<T>(string? text, out T value);

    private static T Parse<T>(IConfigurationSection key, TryParse<T> parse, string expected) =>
        parse(key.Value, out var value)
            ? value
            : throw new InvalidConfigurationException($"Configuration key {key.Path} = '{key.Value}' is invalid: expected {expected}.");

    private static string[] SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
