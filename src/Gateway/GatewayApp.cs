using ActorChat.Gateway.Chat;

namespace ActorChat.Gateway;

/// <summary>Builds the ActorChat node; <c>Program</c> runs it, and tests start it on a free port.</summary>
public static class GatewayApp
{
    /// <summary>The address a node listens on when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>Builds the node from command-line <paramref name="args"/>; <paramref name="configure"/> may adjust the builder (tests).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddActorChat(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapConsumer<ChatConsumer>("/ws/chat/{room}/");
        app.MapConsumer<EchoConsumer>("/ws/echo/");
        app.MapGet("/", () => Results.Text("ActorChat node. WebSocket endpoints: /ws/chat/{room}/ and /ws/echo/.\n"));
        return app;
    }
}
