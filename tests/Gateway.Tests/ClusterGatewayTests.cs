using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ActorChat.ChannelLayer.Cluster;

namespace ActorChat.Gateway.Tests;

/// <summary>Gateway nodes on the cluster layer: an Akka.NET cluster on loopback, no Redis.</summary>
public sealed class ClusterGatewayTests
{
    // Quick downing of a killed node, yet a pause long enough that a busy 2-core CI machine does not make two live nodes
    // unreachable to each other (keep-majority would then down the wrong side).
    internal static readonly string[] FastDowning =
    [
        "akka:cluster:split-brain-resolver:stable-after=2s", "akka:cluster:failure-detector:acceptable-heartbeat-pause=5s",
        "akka:remote:log-remote-lifecycle-events=off",
    ];

    internal static string[] ClusterNode(string id, int remotePort, int? seedPort) =>
        ["node:layer=cluster", $"node:id={id}", $"node:remotePort={remotePort}", .. seedPort is { } seed ? new[] { $"node:seeds:0=127.0.0.1:{seed}" } : [], .. FastDowning];

    internal static async Task<GatewayServer> NodeAsync(string id, int remotePort, int? seedPort)
    {
        var server = await GatewayServer.StartAsync(ClusterNode(id, remotePort, seedPort));
        // When another node stops, even gracefully, Akka.Remote logs the end of its association as an error.
        server.ExpectErrorLogs("Disassociated");
        await ((ClusterChannelLayer)server.Service<ActorChat.ChannelLayer.IChannelLayer>()).WaitReadyAsync(TimeSpan.FromSeconds(20));
        return server;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task DistributedData_gossips_full_state_every_10_s_by_default_and_a_nodes_own_setting_wins()
    {
        // Akka's default is 2 s; at 5,000 members over 3 nodes that kept the replicators seconds behind (BENCHMARKS.md).
        await using var byDefault = await NodeAsync("d1", FreePort(), null);
        Assert.Equal(TimeSpan.FromSeconds(10), GossipInterval(byDefault));

        await using var overridden = await GatewayServer.StartAsync([.. ClusterNode("d2", FreePort(), null), "akka:cluster:distributed-data:gossip-interval=3s"]);
        Assert.Equal(TimeSpan.FromSeconds(3), GossipInterval(overridden));
    }

    private static TimeSpan GossipInterval(GatewayServer node) =>
        Akka.DistributedData.ReplicatorSettings.Create(node.Service<Akka.Actor.ActorSystem>()).GossipInterval;

    [Fact]
    public async Task Clients_spread_over_three_cluster_nodes_get_every_room_message_once_in_sender_order()
    {
        var seed = FreePort();
        await using var n1 = await NodeAsync("n1", seed, null);
        await using var n2 = await NodeAsync("n2", 0, seed);
        await using var n3 = await NodeAsync("n3", 0, seed);
        GatewayServer[] nodes = [n1, n2, n3];
        var clients = new List<(string Room, int Index, WsClient Client)>();
        foreach (var room in new[] { "alpha", "beta" })
        {
            for (var i = 0; i < 6; i++)
            {
                clients.Add((room, i, await WsClient.ConnectAsync(nodes[i % 3].Ws($"/ws/chat/{room}/"))));
            }
        }

        await RoomTraffic.AssertEveryMessageArrivesOnceInOrderAsync(clients, 10);
        foreach (var (_, _, client) in clients)
        {
            await client.DisposeAsync();
        }

        // At most one message per group send left each node, whatever the number of members (6 senders x 10 messages per room).
        var sent = nodes.Sum(n => ((ClusterChannelLayer)n.Service<ActorChat.ChannelLayer.IChannelLayer>()).MessagesSent);
        Assert.InRange(sent, 1, 2 * 6 * 10);
    }

    [Fact]
    public async Task A_post_to_node_one_reaches_clients_on_nodes_two_and_three_and_members_are_listed_from_every_node()
    {
        var seed = FreePort();
        await using var n1 = await NodeAsync("n1", seed, null);
        await using var n2 = await NodeAsync("n2", 0, seed);
        await using var n3 = await NodeAsync("n3", 0, seed);
        await using var on2 = await WsClient.ConnectAsync(n2.Ws("/ws/chat/news/"));
        await using var on3 = await WsClient.ConnectAsync(n3.Ws("/ws/chat/news/"));
        using var http = new HttpClient { BaseAddress = n1.HttpBase };
        var response = await http.PostAsJsonAsync("/api/rooms/news/messages", new { message = "from node one" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("from node one", (await on2.ReceiveJsonAsync()).GetProperty("message").GetString());
        Assert.Equal("from node one", (await on3.ReceiveJsonAsync()).GetProperty("message").GetString());
        Assert.Equal(2, (await n1.Service<ActorChat.ChannelLayer.IChannelLayer>().GroupMembersAsync("chat_news")).Count);
    }

    [Fact]
    public async Task Readyz_is_503_until_the_node_is_up_in_a_cluster_and_200_once_its_seed_is_there()
    {
        var seed = FreePort(); // nobody listens there yet: the node cannot join
        await using var waiting = await GatewayServer.StartAsync(ClusterNode("waiting", 0, seed));
        waiting.ExpectErrorLogs("Association", "association", "connect", "Disassociated");
        using var http = new HttpClient { BaseAddress = waiting.HttpBase };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);

        await using var first = await NodeAsync("first", seed, null);
        await http.ReadyzBecomesAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(40)); // the waiting node's next join attempt finds its seed
    }

    [Fact]
    public async Task A_killed_node_is_downed_its_members_leave_the_rooms_and_the_others_keep_serving_then_it_rejoins_on_the_same_port()
    {
        var seed = FreePort();
        await using var n1 = await NodeAsync("n1", seed, null);
        await using var n2 = await NodeAsync("n2", 0, seed);
        n1.ExpectErrorLogs("Association", "association", "Quarantined", "unreachable", "Unreachable");
        n2.ExpectErrorLogs("Association", "association", "Quarantined", "unreachable", "Unreachable");
        var layer = n1.Service<ActorChat.ChannelLayer.IChannelLayer>();
        var doomedPort = FreePort();
        await using var local = await WsClient.ConnectAsync(n1.Ws("/ws/chat/crowd/"));
        await using var other = await WsClient.ConnectAsync(n2.Ws("/ws/chat/crowd/"));

        var stopwatch = Stopwatch.StartNew();
        using (var n3 = NodeProcess.Start([.. ClusterNode("n3", doomedPort, seed)]))
        {
            var doomed = await n3.ConnectWhenUpAsync("/ws/chat/crowd/");
            await Eventually.AssertAsync(async () => Assert.Equal(3, (await layer.GroupMembersAsync("chat_crowd")).Count), TimeSpan.FromSeconds(20));

            n3.Process.Kill(); // SIGKILL: no goodbye, no leave
            await n3.Process.WaitForExitAsync();
            doomed.Socket.Abort();
            stopwatch.Restart();
            await Eventually.AssertAsync(async () => Assert.Equal(2, (await layer.GroupMembersAsync("chat_crowd")).Count), TimeSpan.FromSeconds(20));
            await local.SendJsonAsync(new { message = "still here" });
            Assert.Equal("still here", (await local.ReceiveJsonAsync()).GetProperty("message").GetString());
            Assert.Equal("still here", (await other.ReceiveJsonAsync()).GetProperty("message").GetString());
        }

        // Downed and removed: the cluster is two Up members again, well within the documented bound.
        await Eventually.AssertAsync(async () => Assert.Equal(2, (await new HttpClient { BaseAddress = n1.HttpBase }.ScrapeAsync())["actorchat_cluster_members{status=\"up\"}"]), TimeSpan.FromSeconds(30));

        using var again = NodeProcess.Start([.. ClusterNode("n3", doomedPort, seed)]);
        await using var back = await again.ConnectWhenUpAsync("/ws/chat/crowd/");
        await Eventually.AssertAsync(async () => Assert.Equal(3, (await layer.GroupMembersAsync("chat_crowd")).Count), TimeSpan.FromSeconds(30));
        await back.SendJsonAsync(new { message = "back again" });
        Assert.Equal("back again", (await local.ReceiveJsonAsync(TimeSpan.FromSeconds(10))).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_node_the_cluster_downs_closes_its_sockets_with_1001_after_its_members_left_and_stops_its_host()
    {
        var seed = FreePort();
        await using var n1 = await NodeAsync("n1", seed, null);
        await using var n2 = await NodeAsync("n2", 0, seed);
        n1.ExpectErrorLogs("Association", "association", "Quarantined");
        n2.ExpectErrorLogs("Association", "association", "Quarantined");
        await using var doomed = await WsClient.ConnectAsync(n2.Ws("/ws/chat/downed/"));
        await using var survivor = await WsClient.ConnectAsync(n1.Ws("/ws/chat/downed/"));
        var layer = n1.Service<ActorChat.ChannelLayer.IChannelLayer>();
        await Eventually.AssertAsync(async () => Assert.Equal(2, (await layer.GroupMembersAsync("chat_downed")).Count), TimeSpan.FromSeconds(20));
        var stopping = n2.Service<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;

        var n2Address = Akka.Cluster.Cluster.Get(n2.Service<Akka.Actor.ActorSystem>()).SelfAddress;
        Akka.Cluster.Cluster.Get(n1.Service<Akka.Actor.ActorSystem>()).Down(n2Address);

        Assert.Equal(ActorChat.Consumers.CloseCodes.GoingAway, await doomed.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
        await n2.Service<Akka.Actor.ActorSystem>().WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        var hostStopping = new TaskCompletionSource();
        using (stopping.Register(hostStopping.SetResult))
        {
            await hostStopping.Task.WaitAsync(TimeSpan.FromSeconds(10)); // Akka.Hosting tells the host to stop; app.Run() then exits
        }

        Assert.Single(await layer.GroupMembersAsync("chat_downed"));
        await survivor.SendJsonAsync(new { message = "alone now" });
        Assert.Equal("alone now", (await survivor.ReceiveJsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_node_that_gets_sigterm_closes_its_sockets_with_1001_and_leaves_the_cluster_gracefully()
    {
        var seed = FreePort();
        await using var n1 = await NodeAsync("n1", seed, null);
        using var n2 = NodeProcess.Start([.. ClusterNode("n2", 0, seed), "Logging:LogLevel:Akka=Information"]);
        await using var there = await n2.ConnectWhenUpAsync("/ws/chat/farewell/");
        var layer = n1.Service<ActorChat.ChannelLayer.IChannelLayer>();
        await Eventually.AssertAsync(async () => Assert.Single(await layer.GroupMembersAsync("chat_farewell")), TimeSpan.FromSeconds(20));

        n2.Terminate();
        Assert.Equal(ActorChat.Consumers.CloseCodes.GoingAway, await there.ReceiveCloseAsync(TimeSpan.FromSeconds(10)));
        await n2.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, n2.Process.ExitCode);
        Assert.Contains(n2.Output, line => line.Contains("Exiting completed") || line.Contains("Leaving") || line.Contains("is Exiting"));
        await Eventually.AssertAsync(async () => Assert.Equal(1, (await new HttpClient { BaseAddress = n1.HttpBase }.ScrapeAsync())["actorchat_cluster_members{status=\"up\"}"]), TimeSpan.FromSeconds(15));
        Assert.Empty(await layer.GroupMembersAsync("chat_farewell"));
    }
}
