using ActorChat.ChannelLayer.Cluster;
using ActorChat.Consumers.Hosting;

namespace Akka.Hosting;

/// <summary>Prepares an Akka.Hosting actor system for the cluster channel layer.</summary>
public static class ClusterChannelLayerHostingExtensions
{
    /// <summary>
    /// Registers the <see cref="ClusterMessageSerializer"/> for every message the cluster layer sends between nodes, so none
    /// falls back to Akka's default serializer, and turns off the mediator's dead letters for a group send that finds no
    /// other node (a cluster of one), and raises Akka.Remote's largest message to 4 MiB so a group message of the bridge's
    /// largest size crosses nodes, and gossips DistributedData's full state every 10 s rather than 2 s (HOCON the
    /// application adds after this call, such as its own <c>akka.cluster.distributed-data.gossip-interval</c>, wins).
    /// Remoting and clustering themselves are the application's:
    /// <c>WithRemoting</c> and <c>WithClustering</c> from Akka.Remote.Hosting and Akka.Cluster.Hosting. Adds a health check
    /// tagged <see cref="ActorChatHealthChecks.Ready"/> that passes while this node is Up and reachable.
    /// </summary>
    public static AkkaConfigurationBuilder WithClusterChannelLayer(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithCustomSerializer("actorchat-cluster", ClusterMessageSerializer.Bindings, system => new ClusterMessageSerializer(system))
            .AddHocon(ClusterChannelLayer.RemotingSettings, HoconAddMode.Prepend)
            .AddHocon(ClusterChannelLayer.DistributedDataSettings, HoconAddMode.Prepend) // over DistributedData's own default
            .WithHealthCheck(ActorChatHealthChecks.ClusterMembership, new ClusterMembershipHealthCheck(), tags: [ActorChatHealthChecks.Ready]);
    }
}
