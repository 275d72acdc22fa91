using ActorChat.Consumers;
using ActorChat.Consumers.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Akka.Event;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorChat.Gateway.Tests;

/// <summary>ActorChat in an app's one actor system, started by Akka.Hosting inside the ASP.NET Core host.</summary>
public sealed class HostingTests
{
    /// <summary>An application's own actor: answers "hello, {name}".</summary>
    private sealed class Greeter : ReceiveActor
    {
        public Greeter() => Receive<string>(name => Sender.Tell($"hello, {name}"));
    }

    /// <summary>A consumer that reaches the application's actor through constructor injection of IRequiredActor.</summary>
    private sealed class GreetingConsumer(IRequiredActor<Greeter> greeter) : WebSocketConsumer
    {
        protected override async Task OnReceiveAsync(string text) =>
            await SendAsync(await greeter.ActorRef.Ask<string>(text, TimeSpan.FromSeconds(3)) + $" from {Context.System.Name}");
    }

    private static async Task<(WebApplication App, Uri Ws)> StartAsync(Action<WebApplicationBuilder> services)
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        services(builder);
        var app = builder.Build();
        app.MapConsumer<GreetingConsumer>("/greet/");
        await app.StartAsync();
        return (app, new Uri("ws://" + new Uri(app.Urls.Single()).Authority + "/greet/"));
    }

    [Fact]
    public async Task AddActorChat_runs_the_consumers_in_one_system_with_the_apps_own_actors_registered_by_Akka_Hosting()
    {
        var (app, ws) = await StartAsync(builder => builder.Services.AddActorChat(builder.Configuration, (akka, _) =>
            akka.WithActors((system, registry) => registry.Register<Greeter>(system.ActorOf(Props.Create<Greeter>(), "greeter")))));
        await using var _ = app;
        await using var client = await WsClient.ConnectAsync(ws);
        await client.SendTextAsync("ada");
        Assert.Equal("hello, ada from actorchat", await client.ReceiveTextAsync());

        // One system: the greeter, the consumer supervisor and this connection's consumer all live in it.
        var system = app.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("actorchat", system.Name);
        Assert.Equal("/user/greeter", app.Services.GetRequiredService<ActorRegistry>().Get<Greeter>().Path.ToStringWithoutAddress());
        var consumer = await system.ActorSelection("/user/actorchat-consumers/*").ResolveOne(TimeSpan.FromSeconds(3));
        Assert.Equal("actorchat", consumer.Path.Address.System);
    }

    [Fact]
    public async Task An_app_that_calls_AddAkka_itself_adds_WithActorChat_to_its_own_system()
    {
        var (app, ws) = await StartAsync(builder =>
        {
            builder.Services.AddActorChatServices(builder.Configuration);
            builder.Services.AddAkka("my-app", (akka, provider) => akka
                .WithActors((system, registry) => registry.Register<Greeter>(system.ActorOf(Props.Create<Greeter>(), "greeter")))
                .WithActorChat(provider));
        });
        await using var _ = app;
        await using var client = await WsClient.ConnectAsync(ws);
        await client.SendTextAsync("bob");
        Assert.Equal("hello, bob from my-app", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task WithActorChat_without_the_services_fails_at_start_naming_the_fix()
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None"]);
        builder.Services.AddAkka("my-app", (akka, provider) => akka.WithActorChat(provider));
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains("AddActorChatServices", ex.ToString());
    }

    [Fact]
    public void MapConsumer_without_AddActorChat_names_the_fix()
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0"]);
        using var app = (IDisposable)builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => ((WebApplication)app).MapConsumer<EchoConsumer>("/ws/echo/"));
        Assert.Contains("call builder.Services.AddActorChat(builder.Configuration) first", ex.Message);
    }

    /// <summary>Echoes text, and throws on "boom".</summary>
    private sealed class Fragile : WebSocketConsumer
    {
        protected override Task OnReceiveAsync(string text) =>
            text == "boom" ? throw new InvalidOperationException("the handler blew up") : SendAsync(text);
    }

    [Fact]
    public async Task A_handler_that_throws_closes_its_connection_with_1011_logs_path_and_exception_and_the_node_goes_on()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        builder.Logging.AddProvider(new CapturingLoggerProvider(lines, Microsoft.Extensions.Logging.LogLevel.Error));
        builder.Services.AddActorChat(builder.Configuration);
        await using var app = builder.Build();
        app.MapConsumer<Fragile>("/fragile/");
        await app.StartAsync();
        var ws = new Uri("ws://" + new Uri(app.Urls.Single()).Authority + "/fragile/");
        await using var victim = await WsClient.ConnectAsync(ws);
        await using var bystander = await WsClient.ConnectAsync(ws);

        await victim.SendTextAsync("boom");
        Assert.Equal(CloseCodes.InternalError, await victim.ReceiveCloseAsync());

        // Akka logs the failure with the consumer's path and the exception; the bridge logs which connection it closed.
        var consumerPath = new System.Text.RegularExpressions.Regex(@"akka://actorchat/user/actorchat-consumers/\$\w+");
        await Eventually.AssertAsync(() => Assert.Contains(lines, l => consumerPath.IsMatch(l) && l.Contains("InvalidOperationException: the handler blew up")));
        Assert.Contains(lines, l => l.Contains("stopped while the connection was open") && consumerPath.IsMatch(l));

        await bystander.SendTextAsync("still here");
        Assert.Equal("still here", await bystander.ReceiveTextAsync());
        await using var newcomer = await WsClient.ConnectAsync(ws);
        await newcomer.SendTextAsync("hello");
        Assert.Equal("hello", await newcomer.ReceiveTextAsync());
    }

    [Fact]
    public async Task Akkas_log_events_go_through_ILogger_at_the_level_the_Logging_section_sets()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Akka=Debug"]);
        builder.Logging.ClearProviders().AddProvider(new CapturingLoggerProvider(lines));
        builder.Services.AddActorChat(builder.Configuration);
        await using var app = builder.Build();
        await app.StartAsync();
        var system = app.Services.GetRequiredService<ActorSystem>();
        Assert.Equal(Akka.Event.LogLevel.DebugLevel, system.EventStream.LogLevel);
        system.Log.Debug("a debug line from akka");
        await Eventually.AssertAsync(() => Assert.Contains(lines, l => l.StartsWith("Debug Akka") && l.Contains("a debug line from akka")));
        await app.StopAsync();
    }
}
