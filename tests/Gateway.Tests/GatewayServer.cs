using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// A real gateway node on a free 127.0.0.1 port, configured the way a user would (command-line keys). An error the node
/// logs fails the test when the node is disposed, unless the test said it expects it (<see cref="ExpectErrorLogs"/>).
/// </summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _errors;
    private readonly List<string> _expected = [];

    private GatewayServer(WebApplication app, ConcurrentQueue<string> errors)
    {
        _app = app;
        _errors = errors;
        HttpBase = new Uri(app.Urls.Single());
        WsBase = new Uri("ws://" + HttpBase.Authority);
    }

    public Uri HttpBase { get; }

    public Uri WsBase { get; }

    /// <summary>Starts a node; each setting is a configuration key, such as <c>Bridge:MaxMessageSize=65536</c>.</summary>
    public static Task<GatewayServer> StartAsync(params string[] settings) => StartAsync(_ => { }, settings);

    /// <summary>Starts a node as above, after <paramref name="configure"/> changed its builder as an application would (its own services).</summary>
    public static async Task<GatewayServer> StartAsync(Action<WebApplicationBuilder> configure, params string[] settings)
    {
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings.Select(s => "--" + s));
        var errors = new ConcurrentQueue<string>();
        var app = GatewayApp.Build([.. args], builder =>
        {
            builder.Logging.AddProvider(new CapturingLoggerProvider(errors, LogLevel.Error));
            configure(builder);
        });
        await app.StartAsync();
        return new GatewayServer(app, errors);
    }

    public Uri Ws(string path) => new(WsBase, path);

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Declares that error logs containing any of <paramref name="fragments"/> are part of what the test provokes.</summary>
    public void ExpectErrorLogs(params string[] fragments) => _expected.AddRange(fragments);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        var unexpected = _errors.Where(line => !_expected.Any(line.Contains)).ToList();
        if (unexpected.Count > 0)
        {
            throw new XunitException($"The node logged {unexpected.Count} error(s) the test did not expect; the first: {unexpected[0]}");
        }
    }
}
