using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Healthy while this node is Up in its cluster and no member sees it unreachable. Akka.Cluster.Hosting's own readiness
/// check passes for good once the node has joined; this one fails again while the node is unreachable or leaving.
/// </summary>
internal sealed class ClusterMembershipHealthCheck : IAkkaHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cluster = Cluster.Get(context.ActorSystem);
        var self = cluster.SelfMember;
        var failure = context.Registration.FailureStatus;
        HealthCheckResult result = self.Status != MemberStatus.Up
            ? new(failure, $"not Up in the cluster (member status {self.Status})")
            : cluster.State.Unreachable.Contains(self)
                ? new(failure, "cluster member unreachable")
                : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
