using System.Text;
using Microsoft.Extensions.Configuration;

namespace ActorChat.Gateway.Configuration;

/// <summary>Resolves substitutions against the whole document (then the environment) and flattens it into configuration keys.</summary>
internal static class HoconResolver
{
    public static Dictionary<string, string?> Flatten(HoconObject root, string file)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var resolver = new Resolution(root, file);
        Walk(resolver, root, prefix: null, data);
        return data;
    }

    private static void Walk(Resolution resolver, HoconNode node, string? prefix, Dictionary<string, string?> data)
    {
        var resolved = resolver.Resolve(node, []);
        switch (resolved)
        {
            case null:
                return; // an undefined optional substitution: the key is not set
            case HoconObject obj:
                foreach (var (key, value) in obj.Fields)
                {
                    Walk(resolver, value, prefix is null ? key : ConfigurationPath.Combine(prefix, key), data);
                }

                break;
            case HoconArray array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Walk(resolver, array.Items[i], ConfigurationPath.Combine(prefix ?? "", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                }

                break;
            case HoconScalar scalar when prefix is not null:
                data[prefix] = scalar.Text;
                break;
        }
    }

    private sealed class Resolution(HoconObject root, string file)
    {
        /// <summary>Returns the node with substitutions replaced; null when an optional one is undefined.</summary>
        public HoconNode? Resolve(HoconNode node, HashSet<string> resolving) => node switch
        {
            HoconSubstitution substitution => Substitute(substitution, resolving),
            HoconConcat concat => Join(concat, resolving),
            _ => node,
        };

        private HoconNode? Substitute(HoconSubstitution substitution, HashSet<string> resolving)
        {
            if (!resolving.Add(substitution.Path))
            {
                throw new HoconException(file, substitution.Line, $"${{{substitution.Path}}} refers to itself through a cycle");
            }

            try
            {
                if (Find(substitution.Path) is { } found)
                {
                    return Resolve(found, resolving);
                }

                if (Environment.GetEnvironmentVariable(substitution.Path) is { } env)
                {
                    return new HoconScalar(substitution.Line, env);
                }

                return substitution.Optional
                    ? null
                    : throw new HoconException(file, substitution.Line, $"${{{substitution.Path}}} is undefined: no such key and no environment variable; use ${{?{substitution.Path}}} if it may be missing");
            }
            finally
            {
                resolving.Remove(substitution.Path);
            }
        }

        private HoconScalar? Join(HoconConcat concat, HashSet<string> resolving)
        {
            var text = new StringBuilder();
            foreach (var part in concat.Parts)
            {
                switch (Resolve(part, resolving))
                {
                    case HoconScalar { Text: var value }:
                        text.Append(value);
                        break;
                    case null:
                        break;
                    default:
                        throw new HoconException(file, concat.Line, "an object or list cannot be joined into a string");
                }
            }

            return new HoconScalar(concat.Line, text.ToString());
        }

        private HoconNode? Find(string path)
        {
            HoconNode? current = root;
            foreach (var segment in path.Split('.'))
            {
                if (current is not HoconObject obj || !obj.Fields.TryGetValue(segment, out current))
                {
                    return null;
                }
            }

            return current;
        }
    }
}
