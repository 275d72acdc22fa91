namespace ActorChat.ChannelLayer;

/// <summary>Presence on one node: a dictionary per group. Nothing is ever departed, since the node is the whole layer.</summary>
internal sealed class InMemoryPresenceStore : IPresenceStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, PresenceMeta>> _groups = new(StringComparer.Ordinal); // group → channel → meta

    public Action<string, IReadOnlyList<PresenceMeta>>? Departed { private get; set; }

    public Action<string, DateTimeOffset>? Returned { private get; set; }

    public Task AddAsync(string group, PresenceMeta meta)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var metas))
            {
                _groups[group] = metas = new Dictionary<string, PresenceMeta>(StringComparer.Ordinal);
            }

            metas[meta.Channel] = meta;
        }

        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> RemoveAsync(string group, PresenceMeta meta)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(group, out var metas) && metas.Remove(meta.Channel) && metas.Count == 0)
            {
                _groups.Remove(group);
            }
        }

        return Task.FromResult<DateTimeOffset?>(null);
    }

    public Task<IReadOnlyList<PresenceMeta>> ListAsync(string group, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<PresenceMeta>>(_groups.TryGetValue(group, out var metas) ? [.. metas.Values] : []);
        }
    }

    /// <summary>Drops every entry (the layer's flush).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _groups.Clear();
        }
    }
}
