using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActorChat.Gateway.Tests;

/// <summary>OTLP export, switched on by the standard OpenTelemetry variables, to a real OTLP/HTTP receiver on 127.0.0.1.</summary>
public sealed class OpenTelemetryExportTests
{
    [Fact]
    public async Task OTEL_EXPORTER_OTLP_ENDPOINT_sends_the_nodes_metrics_to_that_collector()
    {
        var requests = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        await using var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            requests.Enqueue((request.Path, request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();

        using var node = NodeProcess.Start(
            new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.Single(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
            "node:id=otlp-node");
        await using var client = await node.ConnectWhenUpAsync("/ws/chat/exported/");
        await client.SendJsonAsync(new { message = "counted" });
        await client.ReceiveJsonAsync();

        // An export after the chat carries ActorChat's instruments (OTLP names, not Prometheus's) and the node's id.
        await Eventually.AssertAsync(() =>
        {
            var exported = requests.Select(r => Encoding.UTF8.GetString(r.Body)).LastOrDefault() ?? "";
            Assert.Contains("actorchat_frames_in", exported);
            Assert.Contains("actorchat_layer_group_sends", exported);
            Assert.Contains("otlp-node", exported); // service.instance.id
        }, TimeSpan.FromSeconds(20));
        Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
    }
}
