using ActorChat.ChannelLayer;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorChat.Consumers.Hosting;

/// <summary>Unhealthy while the channel layer cannot reach its engine (a layer that is not <see cref="IChannelLayerHealth"/> always can).</summary>
internal sealed class ChannelLayerHealthCheck(IChannelLayer layer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        layer is not IChannelLayerHealth health || await health.IsReachableAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, "channel layer unreachable");
}
