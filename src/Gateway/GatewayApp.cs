using System.Diagnostics.Metrics;
using ActorChat.Actors;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.ChannelLayer.Redis;
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
        var system = services.GetRequiredService<ActorSystem>();
        return node.Layer switch
        {
            "redis" => CreateRedisLayer(node, system, options, services),
            _ => new InMemoryChannelLayer(system, options, node.Id, services.GetService<IMeterFactory>()),
        };
    }

    private static RedisChannelLayer CreateRedisLayer(NodeOptions node, ActorSystem system, ChannelLayerOptions options, IServiceProvider services)
    {
        var redis = new RedisLayerOptions { Endpoints = node.Redis, NodeId = node.Id };
        ConfigBinder.Bind(services.GetRequiredService<IConfiguration>().GetSection("Redis"), redis);
        RedisChannelLayer layer;
        try
        {
            layer = new RedisChannelLayer(system, options, redis, services.GetRequiredService<ILoggerFactory>(), services.GetService<IMeterFactory>());
        }
        catch (ArgumentException ex)
        {
            throw new InvalidConfigurationException(ex.Message);
        }

        // Give Redis a moment at startup; a node whose Redis is down still starts, and /readyz says so.
        layer.WaitConnectedAsync(redis.ConnectTimeout).GetAwaiter().GetResult();
        return layer;
    }
}
