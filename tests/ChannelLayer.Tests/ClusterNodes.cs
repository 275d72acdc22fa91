using ActorChat.ChannelLayer.Cluster;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>Actor systems that are nodes of one Akka.NET cluster on loopback, as the cluster layer's tests need them.</summary>
internal static class ClusterNodes
{
    /// <summary>A cluster node's configuration: remoting on a free loopback port, and the layer's own settings.</summary>
    public static Config Config() => ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster.log-info = off
        akka.remote.log-remote-lifecycle-events = off
        akka.cluster.jmx.enabled = off
        """).WithFallback(ClusterChannelLayer.DefaultConfig());

    /// <summary>Makes <paramref name="system"/> join <paramref name="seed"/> (itself, for the first node) and waits until it is Up.</summary>
    public static async Task JoinAsync(ActorSystem system, Address seed)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(seed);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>The address a node's cluster listens on.</summary>
    public static Address AddressOf(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfAddress;
}
