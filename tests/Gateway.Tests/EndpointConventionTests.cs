using System.Net.WebSockets;
using System.Threading.RateLimiting;
using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Gateway.Tests;

/// <summary>MapConsumer is an ordinary endpoint: conventions such as rate limiting run before any actor starts.</summary>
public sealed class EndpointConventionTests
{
    [Fact]
    public async Task A_rate_limited_consumer_endpoint_refuses_the_second_connection_before_any_consumer_starts()
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        builder.Services.AddActorChat(builder.Configuration);
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = 429;
            o.AddFixedWindowLimiter("one", w => { w.PermitLimit = 1; w.Window = TimeSpan.FromMinutes(1); w.QueueLimit = 0; });
        });
        await using var app = builder.Build();
        app.UseRateLimiter();
        app.MapConsumer<EchoConsumer>("/limited/").RequireRateLimiting("one");
        await app.StartAsync();
        var ws = new Uri("ws://" + new Uri(app.Urls.Single()).Authority + "/limited/");

        await using var first = await WsClient.ConnectAsync(ws);
        await first.SendTextAsync("ping");
        Assert.Equal("pong!", await first.ReceiveTextAsync());
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(ws));
        Assert.Contains("429", ex.Message);
        Assert.Equal(1, app.Services.GetRequiredService<BridgeMetrics>().ConnectionsTotal);
    }
}
