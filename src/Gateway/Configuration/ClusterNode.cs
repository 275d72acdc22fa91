using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ActorChat.Gateway.Configuration;

/// <summary>Makes a gateway node a member of an Akka.NET cluster, for <c>node.layer = cluster</c>.</summary>
public static class ClusterNode
{
    /// <summary>The role every gateway node has; the cluster layer waits only for members with it.</summary>
    public const string Role = "actorchat";

    /// <summary>
    /// Remoting on <c>node.remoteHost:node.remotePort</c>; clustering with <c>node.seeds</c> as seed nodes (or, with none, a
    /// cluster of its own that others join) and Akka's split-brain resolver (keep-majority); the cluster layer's serializer.
    /// </summary>
    public static void Configure(AkkaConfigurationBuilder akka, NodeOptions node)
    {
        akka.WithRemoting(node.RemoteHost, node.RemotePort)
            .WithClustering(new ClusterOptions
            {
                Roles = [Role],
                SeedNodes = [.. node.Seeds.Select(seed => $"akka.tcp://{ActorChatServiceCollectionExtensions.ActorSystemName}@{seed}")],
                SplitBrainResolver = SplitBrainResolverOption.Default,
            })
            .WithClusterChannelLayer();
        if (node.Seeds.Length == 0)
        {
            akka.WithActors((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        }
    }
}
