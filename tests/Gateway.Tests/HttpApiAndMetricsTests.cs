using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ActorChat.Gateway.Tests;

public sealed class HttpApiAndMetricsTests
{
    [Fact]
    public async Task Posting_a_message_reaches_every_member_of_the_room_and_no_other_room()
    {
        await using var server = await GatewayServer.StartAsync();
        await using var alice = await WsClient.ConnectAsync(server.Ws("/ws/chat/news/"));
        await using var bob = await WsClient.ConnectAsync(server.Ws("/ws/chat/news/"));
        await using var other = await WsClient.ConnectAsync(server.Ws("/ws/chat/sports/"));
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        var response = await http.PostAsJsonAsync("/api/rooms/news/messages", new { message = "from a view" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("from a view", (await alice.ReceiveJsonAsync()).GetProperty("message").GetString());
        Assert.Equal("from a view", (await bob.ReceiveJsonAsync()).GetProperty("message").GetString());

        await other.SendJsonAsync(new { message = "sports only" });
        Assert.Equal("sports only", (await other.ReceiveJsonAsync()).GetProperty("message").GetString()); // nothing from news came first
    }

    [Theory]
    [InlineData("news", "{not json", "Malformed JSON")]
    [InlineData("news", "{\"text\":\"no message field\"}", "Missing field")]
    [InlineData("news", "{\"message\":42}", "Missing field")]
    [InlineData("news", "[\"message\"]", "Missing field")]
    [InlineData("bad!room", "{\"message\":\"hi\"}", "Invalid room name")]
    public async Task A_bad_request_gets_400_with_a_json_problem(string room, string body, string title)
    {
        await using var server = await GatewayServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var response = await http.PostAsync($"/api/rooms/{Uri.EscapeDataString(room)}/messages", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_oversize_body_gets_400_naming_the_limit()
    {
        await using var server = await GatewayServer.StartAsync("node:maxApiBodySize=1K");
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var response = await http.PostAsJsonAsync("/api/rooms/news/messages", new { message = new string('x', 2000) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("node.maxApiBodySize", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        await using var server = await GatewayServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task Metrics_after_a_scripted_chat_show_the_exact_counts()
    {
        await using var server = await GatewayServer.StartAsync();
        var clients = new List<WsClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await WsClient.ConnectAsync(server.Ws("/ws/chat/counted/")));
        }

        await clients[0].SendJsonAsync(new { message = "one" });
        await clients[1].SendJsonAsync(new { message = "two" });
        foreach (var client in clients)
        {
            await client.ReceiveJsonAsync();
            await client.ReceiveJsonAsync();
        }

        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var metrics = Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(3, metrics["actorchat_connections_open"]);
        Assert.Equal(3, metrics["actorchat_connections_total"]);
        Assert.Equal(2, metrics["actorchat_frames_in"]);
        Assert.Equal(6, metrics["actorchat_frames_out"]);
        Assert.InRange(metrics["actorchat_write_batches"], 3, 6); // each client's two frames, in one flush or two
        Assert.Equal(2, metrics["actorchat_layer_group_sends"]);
        Assert.Equal(6, metrics["actorchat_layer_deliveries"]);
        Assert.Equal(0, metrics["actorchat_layer_drops{reason=\"full\"}"]);
        Assert.Equal(0, metrics["actorchat_slow_consumer_closes"]);

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Eventually.AssertAsync(async () => Assert.Equal(0, Parse(await http.GetStringAsync("/metrics"))["actorchat_connections_open"]));
    }

    private static Dictionary<string, long> Parse(string text) => text.Split('\n')
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split(' '))
        .ToDictionary(parts => parts[0], parts => long.Parse(parts[1]));
}
