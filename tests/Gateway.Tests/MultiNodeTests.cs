using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ActorChat.ChannelLayer.Tests;

namespace ActorChat.Gateway.Tests;

/// <summary>Several gateway nodes on one real redis-server: rooms that span nodes, an HTTP post from one node, and faults.</summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private string[] RedisNode(string id) =>
        ["node:layer=redis", $"node:redis:0={_redis.Endpoint}", $"node:id={id}", "Redis:MembershipTtl=2s", "Redis:HeartbeatInterval=300ms"];

    private Task<GatewayServer> NodeAsync(string id) => GatewayServer.StartAsync(RedisNode(id));

    [Fact]
    public async Task Clients_spread_over_three_nodes_get_every_room_message_once_in_sender_order_without_leaks()
    {
        await using var n1 = await NodeAsync("n1");
        await using var n2 = await NodeAsync("n2");
        await using var n3 = await NodeAsync("n3");
        GatewayServer[] nodes = [n1, n2, n3];
        string[] rooms = ["alpha", "beta", "gamma"];
        const int perRoom = 6, messagesEach = 10;
        var clients = new List<(string Room, int Index, WsClient Client)>();
        foreach (var room in rooms)
        {
            for (var i = 0; i < perRoom; i++)
            {
                clients.Add((room, i, await WsClient.ConnectAsync(nodes[i % 3].Ws($"/ws/chat/{room}/"))));
            }
        }

        await RoomTraffic.AssertEveryMessageArrivesOnceInOrderAsync(clients, messagesEach);

        foreach (var (_, _, client) in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_post_to_node_one_reaches_clients_on_nodes_two_and_three()
    {
        await using var n1 = await NodeAsync("n1");
        await using var n2 = await NodeAsync("n2");
        await using var n3 = await NodeAsync("n3");
        await using var on2 = await WsClient.ConnectAsync(n2.Ws("/ws/chat/news/"));
        await using var on3 = await WsClient.ConnectAsync(n3.Ws("/ws/chat/news/"));
        using var http = new HttpClient { BaseAddress = n1.HttpBase };
        var response = await http.PostAsJsonAsync("/api/rooms/news/messages", new { message = "from node one" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("from node one", (await on2.ReceiveJsonAsync()).GetProperty("message").GetString());
        Assert.Equal("from node one", (await on3.ReceiveJsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task When_redis_dies_local_chat_goes_on_readyz_flips_and_cross_node_delivery_resumes_after_restart()
    {
        await using var n1 = await NodeAsync("n1");
        // n2 reaches Redis through a StackExchange.Redis configuration string, as an operator with a password or TLS would.
        await using var n2 = await GatewayServer.StartAsync(["node:layer=redis", $"node:redis={_redis.Endpoint},connectRetry=5,name=n2-conn", "node:id=n2", "Redis:MembershipTtl=2s", "Redis:HeartbeatInterval=300ms"]);
        await using var alice = await WsClient.ConnectAsync(n1.Ws("/ws/chat/ops/"));
        await using var bob = await WsClient.ConnectAsync(n1.Ws("/ws/chat/ops/"));
        await using var carol = await WsClient.ConnectAsync(n2.Ws("/ws/chat/ops/"));
        using var http = new HttpClient { BaseAddress = n1.HttpBase };
        await http.ReadyzBecomesAsync(HttpStatusCode.OK);

        await _redis.StopAsync();
        await http.ReadyzBecomesAsync(HttpStatusCode.ServiceUnavailable);
        await alice.SendJsonAsync(new { message = "local only" });
        Assert.Equal("local only", (await bob.ReceiveJsonAsync()).GetProperty("message").GetString());
        Assert.Equal("local only", (await alice.ReceiveJsonAsync()).GetProperty("message").GetString());

        await _redis.StartProcessAsync();
        await http.ReadyzBecomesAsync(HttpStatusCode.OK);
        // The subscription comes back within the reconnect backoff; send until Carol, on the other node, hears one. One
        // receive stays pending throughout (a cancelled ClientWebSocket receive would abort the socket).
        var carolHears = carol.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
        for (var attempt = 0; attempt < 80 && !carolHears.IsCompleted; attempt++)
        {
            await alice.SendJsonAsync(new { message = "after restart " + attempt });
            await Task.WhenAny(carolHears, Task.Delay(250));
        }

        Assert.StartsWith("after restart", (await carolHears).GetProperty("message").GetString()); // cross-node delivery resumed

        // The outage is on /metrics: the lost connection and its restoration, each counted.
        var metrics = await http.ScrapeAsync();
        Assert.InRange(metrics["actorchat_redis_connection_failures_total"], 1, 10);
        Assert.InRange(metrics["actorchat_redis_connection_restorations_total"], 1, 10);
        Assert.Equal(1, metrics["actorchat_redis_connected"]);
    }

    [Fact]
    public async Task A_killed_node_drops_out_of_room_membership_and_the_others_keep_serving()
    {
        await using var n1 = await NodeAsync("n1");
        using var n3 = NodeProcess.Start(RedisNode("n3"));
        await using var local = await WsClient.ConnectAsync(n1.Ws("/ws/chat/crowd/"));
        var doomed = await n3.ConnectWhenUpAsync("/ws/chat/crowd/");
        var layer = n1.Service<IChannelLayer>();
        await Eventually.AssertAsync(async () => Assert.Equal(2, (await layer.GroupMembersAsync("chat_crowd")).Count), TimeSpan.FromSeconds(5));

        n3.Process.Kill(); // SIGKILL: no goodbye, no group_discard
        await n3.Process.WaitForExitAsync();
        doomed.Socket.Abort();
        await Eventually.AssertAsync(async () => Assert.Single(await layer.GroupMembersAsync("chat_crowd")), TimeSpan.FromSeconds(8));
        await local.SendJsonAsync(new { message = "still here" });
        Assert.Equal("still here", (await local.ReceiveJsonAsync()).GetProperty("message").GetString());
    }
}
