using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Gateway.Tests;

/// <summary>A real gateway node on a free 127.0.0.1 port, configured the way a user would (command-line keys).</summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app)
    {
        _app = app;
        HttpBase = new Uri(app.Urls.Single());
        WsBase = new Uri("ws://" + HttpBase.Authority);
    }

    public Uri HttpBase { get; }

    public Uri WsBase { get; }

    /// <summary>Starts a node; each setting is a configuration key, such as <c>Bridge:MaxMessageSize=65536</c>.</summary>
    public static async Task<GatewayServer> StartAsync(params string[] settings)
    {
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings.Select(s => "--" + s));
        var app = GatewayApp.Build([.. args]);
        await app.StartAsync();
        return new GatewayServer(app);
    }

    public Uri Ws(string path) => new(WsBase, path);

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
