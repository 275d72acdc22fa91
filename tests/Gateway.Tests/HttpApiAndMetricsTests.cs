using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

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

    [Theory]
    [InlineData(null, "/readyz")] // a plain AddCheck counts for readiness
    [InlineData("ready", "/readyz")]
    [InlineData("liveness", "/healthz")]
    public async Task A_check_the_application_adds_is_honoured_and_the_node_keeps_serving(string? tag, string failingEndpoint)
    {
        var healthy = true;
        await using var server = await GatewayServer.StartAsync(builder => builder.Services.AddHealthChecks().AddCheck(
            "orders-db", () => healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("orders database down"), tag is null ? [] : [tag]));
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz"));
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));

        healthy = false;
        var failing = await http.GetAsync(failingEndpoint);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        Assert.Equal("orders-db: orders database down\n", await failing.Content.ReadAsStringAsync());
        var other = failingEndpoint == "/readyz" ? "/healthz" : "/readyz";
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(other)).StatusCode); // the check belongs to one endpoint only

        await using var client = await WsClient.ConnectAsync(server.Ws("/ws/chat/health/"));
        await client.SendJsonAsync(new { message = "still serving" });
        Assert.Equal("still serving", (await client.ReceiveJsonAsync()).GetProperty("message").GetString());

        healthy = true;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(failingEndpoint)).StatusCode);
    }

    [Fact]
    public async Task Metrics_after_a_scripted_chat_show_the_exact_counts()
    {
        // A second node in the same process, busy at the same time: a meter provider listens by meter name across the
        // process, and this node's /metrics must count only its own traffic, as a node in a process of its own would.
        await using var neighbour = await GatewayServer.StartAsync();
        await using var busy = await WsClient.ConnectAsync(neighbour.Ws("/ws/chat/counted/"));
        await busy.SendJsonAsync(new { message = "elsewhere" });
        await busy.ReceiveJsonAsync();

        // And a layer built without a node's meter factory (as ConsumerTestKit builds one): its meter is process-wide.
        using var looseSystem = ActorSystem.Create("loose-layer");
        await using var loose = new InMemoryChannelLayer(looseSystem);
        var looseChannel = await loose.NewChannelAsync();
        await loose.GroupAddAsync("counted", looseChannel, new PresenceInfo("elsewhere"));
        await loose.GroupSendAsync("counted", ChannelMessage.Create("chat.message", new { message = "elsewhere" }));

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
        var metrics = await http.ScrapeAsync();
        Assert.Equal(3, metrics["actorchat_connections_open"]);
        Assert.Equal(3, metrics["actorchat_connections_total"]);
        Assert.Equal(2, metrics["actorchat_frames_in_total"]);
        Assert.Equal(6, metrics["actorchat_frames_out_total"]);
        Assert.InRange(metrics["actorchat_write_batches_total"], 3, 6); // each client's two frames, in one flush or two
        Assert.Equal(2, metrics["actorchat_layer_group_sends_total"]);
        Assert.Equal(6, metrics["actorchat_layer_deliveries_total"]);
        Assert.Equal(0, metrics["actorchat_layer_drops_total{reason=\"full\"}"]);
        Assert.Equal(0, metrics["actorchat_slow_consumer_closes_total"]);
        Assert.Equal(0, metrics.GetValueOrDefault("actorchat_presence_entries")); // the loose layer's entry is not this node's
        Assert.True(metrics["dotnet_gc_heap_total_allocated_bytes_total"] > 0); // the runtime's instruments
        var kestrel = Assert.Single(metrics, series => series.Key.StartsWith("kestrel_active_connections{", StringComparison.Ordinal)); // ASP.NET Core's, this node's only
        Assert.Contains($"server_port=\"{server.HttpBase.Port}\"", kestrel.Key);
        Assert.InRange(kestrel.Value, 3, 4); // the three sockets, and this scrape's connection

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Eventually.AssertAsync(async () => Assert.Equal(0, (await http.ScrapeAsync())["actorchat_connections_open"]));
    }

    [Fact]
    public async Task The_node_renders_its_metrics_page_once_at_start_so_the_first_scrape_does_not_pay_the_exporters_jit()
    {
        var lines = new ConcurrentQueue<string>();
        await using var server = await GatewayServer.StartAsync(
            builder => builder.Logging.AddProvider(new CapturingLoggerProvider(lines, LogLevel.Debug)), "Logging:LogLevel:ActorChat.Gateway.Operations=Debug");
        await Eventually.AssertAsync(() => Assert.Single(lines, line => line.Contains("MetricsWarmUp: Rendered /metrics once at start (", StringComparison.Ordinal)));

        // The warm-up is not a request: the page the first scrape gets counts none, and no error was logged.
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var metrics = await http.ScrapeAsync();
        Assert.Equal(0, metrics["actorchat_connections_total"]);
        Assert.DoesNotContain(lines, line => line.StartsWith("Warning ActorChat.Gateway.Operations", StringComparison.Ordinal));
    }
}
