using System.Diagnostics.Metrics;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.Cluster;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.ChannelLayer.Redis;
using ActorChat.Gateway.Api;
using ActorChat.Gateway.Chat;
using ActorChat.Gateway.Configuration;
using ActorChat.Gateway.Operations;
using ActorChat.Gateway.Web;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Options;

namespace ActorChat.Gateway;

/// <summary>Builds the ActorChat node; <c>Program</c> runs it, and tests start it on a free port.</summary>
public static class GatewayApp
{
    /// <summary>Builds the node from command-line <paramref name="args"/>; <paramref name="configure"/> may adjust the builder (tests).</summary>
    /// <exception cref="InvalidConfigurationException">A configuration value is invalid; the message names the key.</exception>
    /// <exception cref="HoconException">The HOCON file does not parse.</exception>
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
        NodeConfiguration.BindOptions(builder.Services, builder.Configuration);
        builder.Services.AddActorChat(configureAkka: (akka, _) =>
        {
            if (node.Layer == "cluster")
            {
                ClusterNode.Configure(akka, node);
            }

            NodeConfiguration.AddAkkaConfig(akka, builder.Configuration);
            akka.WithActors((system, registry) => registry.Register<NicknameRegistry>(system.ActorOf(Props.Create<NicknameRegistry>(), "nicknames")));
        });
        builder.Services.AddNodeTelemetry(builder.Configuration, node.Id);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapConsumer<ChatConsumer>();
        app.MapConsumer<EchoConsumer>("/ws/echo/");
        app.MapRoomMessages(node);
        app.MapRoomPresence();
        app.MapHealth();
        app.MapPrometheusScrapingEndpoint(NodeTelemetry.MetricsPath);
        app.MapChatPage();
        return app;
    }

    private static IChannelLayer CreateLayer(NodeOptions node, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value;
        var system = services.GetRequiredService<ActorSystem>();
        var time = services.GetRequiredService<TimeProvider>();
        return node.Layer switch
        {
            "redis" => CreateRedisLayer(node, system, options, services, time),
            "cluster" => new ClusterChannelLayer(system, node.Id, options, services.GetService<IMeterFactory>(), time,
                new ClusterLayerOptions { Role = ClusterNode.Role }, services.GetRequiredService<ILoggerFactory>()),
            _ => new InMemoryChannelLayer(system, options, node.Id, services.GetService<IMeterFactory>(), time),
        };
    }

    private static RedisChannelLayer CreateRedisLayer(NodeOptions node, ActorSystem system, ChannelLayerOptions options, IServiceProvider services, TimeProvider time)
    {
        var redis = new RedisLayerOptions { Endpoints = node.Redis, NodeId = node.Id };
        ConfigBinder.Bind(services.GetRequiredService<IConfiguration>().GetSection("Redis"), redis);
        RedisChannelLayer layer;
        try
        {
            layer = new RedisChannelLayer(system, options, redis, services.GetRequiredService<ILoggerFactory>(), services.GetService<IMeterFactory>(), time);
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
