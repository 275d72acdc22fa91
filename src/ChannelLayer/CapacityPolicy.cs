using System.Text.RegularExpressions;

namespace ActorChat.ChannelLayer;

/// <summary>Answers "how many messages may this channel hold", with the glob patterns compiled once.</summary>
internal sealed class CapacityPolicy
{
    /// <summary>The prefix of consumers' own channel names (<c>NewChannelAsync("consumer")</c>).</summary>
    public const string ConsumerPrefix = "consumer.";

    private readonly int _default;
    private readonly int _consumer;
    private readonly (Regex Pattern, int Capacity)[] _patterns;

    public CapacityPolicy(ChannelLayerOptions options)
    {
        _default = options.Capacity;
        _consumer = options.ConsumerCapacity;
        _patterns = [.. options.ChannelCapacity.Select(p => (Glob(p.Key), p.Value))];
    }

    public int For(string channel)
    {
        foreach (var (pattern, capacity) in _patterns)
        {
            if (pattern.IsMatch(channel))
            {
                return capacity;
            }
        }

        return channel.StartsWith(ConsumerPrefix, StringComparison.Ordinal) ? _consumer : _default;
    }

    private static Regex Glob(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant | RegexOptions.Compiled);
}
