namespace ActorChat.Consumers.Hosting;

/// <summary>
/// The tags ActorChat's health checks carry. A node's <c>/readyz</c> runs every check tagged <see cref="Ready"/> (and every
/// check with no tag); <c>/healthz</c> runs the checks tagged <see cref="Live"/>.
/// </summary>
public static class ActorChatHealthChecks
{
    /// <summary>The tag of readiness checks: the node should get traffic only while they pass.</summary>
    public const string Ready = "ready";

    /// <summary>The tag of liveness checks: Akka.Hosting's <c>WithActorSystemLivenessCheck</c> uses it.</summary>
    public const string Live = "liveness";

    /// <summary>The name of the check that the channel layer can reach its engine (Redis, the other cluster nodes).</summary>
    public const string ChannelLayer = "actorchat-channel-layer";

    /// <summary>The name of the check that fails once the node is shutting down.</summary>
    public const string Shutdown = "actorchat-shutdown";

    /// <summary>The name of the check of this node's cluster membership (cluster layer only).</summary>
    public const string ClusterMembership = "actorchat-cluster-membership";
}
