using System.Net;
using System.Net.Http.Json;
using ActorChat.ChannelLayer.Tests;

namespace ActorChat.Gateway.Tests;

/// <summary>Gateway nodes on a real three-master Redis Cluster, configured the way an operator would: <c>node.redis</c> lists the masters.</summary>
public sealed class ClusterNodeTests : IAsyncLifetime
{
    private RedisCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RedisCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<GatewayServer> NodeAsync(string id) =>
        GatewayServer.StartAsync(["node:layer=redis", $"node:redis={string.Join(',', _cluster.Endpoints)}", $"node:id={id}"]);

    [Fact]
    public async Task Three_nodes_on_a_cluster_deliver_every_room_message_once_in_order_and_an_http_post_reaches_every_node()
    {
        await using var n1 = await NodeAsync("n1");
        await using var n2 = await NodeAsync("n2");
        await using var n3 = await NodeAsync("n3");
        GatewayServer[] nodes = [n1, n2, n3];
        var rooms = Enumerable.Range(0, 6).Select(i => "room" + i).ToArray(); // six rooms: their channels land on different shards
        var clients = new List<(string Room, int Index, WsClient Client)>();
        foreach (var room in rooms)
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add((room, i, await WsClient.ConnectAsync(nodes[i].Ws($"/ws/chat/{room}/"))));
            }
        }

        await RoomTraffic.AssertEveryMessageArrivesOnceInOrderAsync(clients, messagesEach: 10);

        using var http = new HttpClient { BaseAddress = n1.HttpBase };
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/rooms/room0/messages", new { message = "from node one" })).StatusCode);
        foreach (var (_, _, client) in clients.Where(c => c.Room == "room0"))
        {
            Assert.Equal("from node one", (await client.ReceiveJsonAsync()).GetProperty("message").GetString());
        }

        foreach (var (_, _, client) in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Readyz_reports_not_ready_when_a_master_is_lost()
    {
        await using var node = await NodeAsync("n1");
        using var http = new HttpClient { BaseAddress = node.HttpBase };
        await http.ReadyzBecomesAsync(HttpStatusCode.OK);

        await _cluster.KillAsync(_cluster.Ports[2]);
        await http.ReadyzBecomesAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode); // alive, just not ready
    }
}
