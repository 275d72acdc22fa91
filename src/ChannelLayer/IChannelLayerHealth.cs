namespace ActorChat.ChannelLayer;

/// <summary>A layer that can tell whether its backing engine is reachable (for a node's <c>/readyz</c>).</summary>
public interface IChannelLayerHealth
{
    /// <summary>True when the layer can reach every node it spans.</summary>
    ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default);
}
