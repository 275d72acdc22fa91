using System.Diagnostics.Metrics;
using ActorChat.Actors;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Gateway.Api;
using ActorChat.Consumers.Hosting;
using ActorChat.Gateway.Chat;
using ActorChat.Gateway.Configuration;
using ActorChat.Gateway.Operations;
using ActorChat.Gateway.Web;
using Microsoft.Extensions.Options;

namespace ActorChat.Gateway;

/// <summary>Builds the ActorChat node; <c>Program</c> runs it, and tests start it on a free port.</summary>
public static class GatewayApp
{
    /// <summary>Builds the node from command-line <paramref name="args"/>; <paramref name="configure"/> may adjust the builder (tests).</summary>
    /// <exception cref="InvalidOperationException">A configuration value is invalid; the message names the key.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        NodeConfiguration.Apply(builder.Configuration, args);
        var node = NodeConfiguration.ReadNodeOptions(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://{node.Host}:{node.Port}");
        }

        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton<IChannelLayer>(sp => CreateLayer(node, sp));
        builder.Services.AddActorChat(builder.Configuration);
        builder.Services.AddSingleton<PrometheusExporter>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapConsumer<ChatConsumer>("/ws/chat/{room}/");
        app.MapConsumer<EchoConsumer>("/ws/echo/");
        app.MapRoomMessages(node);
        app.MapHealth();
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapChatPage();
        app.Services.GetRequiredService<PrometheusExporter>(); // listen from the start, so no instrument is missed
        return app;
    }

    private static IChannelLayer CreateLayer(NodeOptions node, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value;
        return node.Layer switch
        {
            "memory" => new InMemoryChannelLayer(services.GetRequiredService<ActorSystem>(), options, node.Id, services.GetService<IMeterFactory>()),
            _ => throw new InvalidConfigurationException($"node.layer = {node.Layer} is not available in this build; use memory."),
        };
    }
}
