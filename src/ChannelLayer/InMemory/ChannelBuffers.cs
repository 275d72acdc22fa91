using System.Collections.Concurrent;
using ActorChat.ChannelLayer.Rooms;

namespace ActorChat.ChannelLayer.InMemory;

/// <summary>The buffers of every channel on this node that no actor is bound to, created on first use.</summary>
internal sealed class ChannelBuffers(ChannelLayerOptions options, CapacityPolicy capacity, ChannelLayerStats stats, TimeProvider time) : IChannelSink
{
    private readonly ConcurrentDictionary<string, ChannelBuffer> _buffers = new(StringComparer.Ordinal);

    public bool TryDeliver(string channel, ChannelMessage message)
    {
        var now = time.GetUtcNow();
        var written = Buffer(channel).TryWrite(message, now, now + options.Expiry, out var expired);
        if (expired > 0)
        {
            stats.DroppedExpired(expired);
        }

        return written;
    }

    public ValueTask<ChannelMessage> ReadAsync(string channel, CancellationToken cancellationToken)
    {
        var read = Buffer(channel).ReadAsync(time.GetUtcNow(), out var expired, cancellationToken);
        if (expired > 0)
        {
            stats.DroppedExpired(expired);
        }

        return read;
    }

    public void Clear()
    {
        foreach (var buffer in _buffers.Values)
        {
            buffer.Clear();
        }
    }

    private ChannelBuffer Buffer(string channel) =>
        _buffers.GetOrAdd(channel, static (name, policy) => new ChannelBuffer(policy.For(name)), capacity);
}
