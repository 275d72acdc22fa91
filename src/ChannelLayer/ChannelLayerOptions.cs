namespace ActorChat.ChannelLayer;

/// <summary>Channel layer settings, bound from the <c>ChannelLayer</c> configuration section.</summary>
public sealed class ChannelLayerOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "ChannelLayer";

    /// <summary>How many unreceived messages a channel holds before sends fail. The default is 100.</summary>
    public int Capacity { get; set; } = 100;

    /// <summary>
    /// The capacity of each consumer's own channel (<c>consumer.*</c>): a burst that waits while the consumer is
    /// busy for a moment. A consumer's real limit is its connection's outgoing queue (a client that reads too
    /// slowly is closed with 1013), so this is far above <see cref="Capacity"/>. The default is 4096.
    /// </summary>
    public int ConsumerCapacity { get; set; } = 4096;

    /// <summary>
    /// Per-channel capacities by glob pattern (<c>*</c> any run, <c>?</c> one character), such as
    /// <c>{"worker.*": 1000}</c>. The first matching pattern wins; others use <see cref="Capacity"/>. Empty by default.
    /// </summary>
    public Dictionary<string, int> ChannelCapacity { get; set; } = [];

    /// <summary>How long an unreceived message lives before it is dropped. The default is 60 seconds.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a plain channel stays in a group after its last <c>group_add</c>. The default is 86400 seconds.
    /// A member that is an actor stays until it leaves or stops.
    /// </summary>
    public TimeSpan GroupExpiry { get; set; } = TimeSpan.FromSeconds(86400);

    /// <summary>The largest presence meta a connection may track, in bytes of JSON. The default is 1024.</summary>
    public int PresenceMetaLimit { get; set; } = 1024;

    /// <summary>
    /// How long a node gathers presence joins and leaves into one <c>presence.diff</c> per group. The first change after a
    /// quiet interval goes out at once; changes during the interval follow together at its end, so a burst of joins costs
    /// each member a few large diffs instead of one frame per join. The default is 100 ms; zero sends each batch at once.
    /// </summary>
    public TimeSpan PresenceDiffInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every problem with these values, each naming its key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Capacity < 1)
        {
            errors.Add($"{SectionName}:Capacity is {Capacity}; it must be at least 1.");
        }

        if (ConsumerCapacity < 1)
        {
            errors.Add($"{SectionName}:ConsumerCapacity is {ConsumerCapacity}; it must be at least 1.");
        }

        foreach (var (pattern, capacity) in ChannelCapacity)
        {
            if (capacity < 1)
            {
                errors.Add($"{SectionName}:ChannelCapacity:{pattern} is {capacity}; it must be at least 1.");
            }
        }

        if (Expiry <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:Expiry is {Expiry}; it must be positive, such as 60s.");
        }

        if (GroupExpiry <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:GroupExpiry is {GroupExpiry}; it must be positive, such as 86400s.");
        }

        if (PresenceDiffInterval < TimeSpan.Zero || PresenceDiffInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{SectionName}:PresenceDiffInterval is {PresenceDiffInterval}; it must be 0 to 10 seconds, such as 100ms.");
        }

        if (PresenceMetaLimit is < 2 or > 65536)
        {
            errors.Add($"{SectionName}:PresenceMetaLimit is {PresenceMetaLimit}; it must be 2 to 65536 bytes.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if there are any.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid channel layer options: " + string.Join(" ", errors));
        }
    }
}
