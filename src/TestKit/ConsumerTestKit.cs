using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Consumers;
using Akka.Actor;
using Scope = ActorChat.Consumers.Scope;
using Akka.Configuration;
using Akka.Event;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using System.Reflection;
using Xunit;
using Xunit.Abstractions;

namespace ActorChat.TestKit;

/// <summary>
/// Akka.NET's xunit TestKit with a channel layer, for consumer tests: <see cref="Communicator{TConsumer}(string, string?, IReadOnlyList{string}?)"/>
/// connects a consumer to <see cref="Layer"/> as a routed request would, and Akka's <c>TestProbe</c>, <c>ExpectMsgAsync</c>,
/// <c>AwaitAssertAsync</c> and <c>WithinAsync</c> are at hand for the actors around it.
/// </summary>
/// <remarks>
/// After each test the kit disconnects every communicator, and fails the test if an error was logged that no
/// <c>EventFilter</c> expected (<see cref="UnexpectedErrorListener"/>). Timeouts scale with
/// <see cref="TestTimeouts.TimeoutFactor"/>.
/// </remarks>
public abstract class ConsumerTestKit : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly List<WebSocketCommunicator> _communicators = [];

    /// <summary>Creates the test's actor system and an in-memory channel layer over it.</summary>
    /// <param name="layerOptions">The layer's options; defaults when null.</param>
    /// <param name="time">The layer's clock (a <c>FakeTimeProvider</c> to test expiry); the system clock when null.</param>
    /// <param name="config">More actor system configuration, over the kit's own.</param>
    /// <param name="output">xunit's output, where the system's log goes.</param>
    protected ConsumerTestKit(ChannelLayerOptions? layerOptions = null, TimeProvider? time = null, Config? config = null, ITestOutputHelper? output = null)
        : base(TestTimeouts.ActorSystemConfig(config), null, output)
    {
        Time = time ?? TimeProvider.System;
        Layer = new InMemoryChannelLayer(Sys, layerOptions, time: Time);
    }

    /// <summary>The channel layer consumers in this test share.</summary>
    public IChannelLayer Layer { get; }

    /// <summary>The layer's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// A communicator for a <typeparamref name="TConsumer"/> at <paramref name="path"/>. Route values are taken from the path with
    /// <paramref name="routePattern"/> (such as <c>/ws/chat/{room}/</c>), or with the consumer's <see cref="ConsumerRouteAttribute"/>
    /// when no pattern is given, as endpoint routing would.
    /// </summary>
    public WebSocketCommunicator Communicator<TConsumer>(string path, string? routePattern = null, IReadOnlyList<string>? subprotocols = null)
        where TConsumer : WebSocketConsumer, new()
        => Communicator(Props.Create<TConsumer>(), path, routePattern ?? typeof(TConsumer).GetCustomAttribute<ConsumerRouteAttribute>()?.Pattern, subprotocols);

    /// <summary>A communicator for a consumer that <paramref name="create"/> makes (one with constructor arguments, such as a probe's ref).</summary>
    public WebSocketCommunicator Communicator<TConsumer>(Func<TConsumer> create, string path, string? routePattern = null, IReadOnlyList<string>? subprotocols = null)
        where TConsumer : WebSocketConsumer
        => Communicator(ActorFactory.Props(create), path, routePattern ?? typeof(TConsumer).GetCustomAttribute<ConsumerRouteAttribute>()?.Pattern, subprotocols);

    /// <summary>A communicator for the consumer <paramref name="props"/> makes.</summary>
    public WebSocketCommunicator Communicator(Props props, string path, string? routePattern = null, IReadOnlyList<string>? subprotocols = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        ArgumentNullException.ThrowIfNull(path);
        var pathOnly = path.Split('?')[0];
        var route = new RouteValueDictionary();
        if (routePattern is not null && !new TemplateMatcher(TemplateParser.Parse(routePattern), []).TryMatch(pathOnly, route))
        {
            throw new ArgumentException($"Path '{path}' does not match route pattern '{routePattern}'.", nameof(path));
        }

        var query = path.Contains('?') ? new QueryString(path[path.IndexOf('?')..]) : QueryString.Empty;
        var communicator = new WebSocketCommunicator(Sys, Layer, props, new Scope(pathOnly, route, query, subprotocols: subprotocols));
        _communicators.Add(communicator);
        return communicator;
    }

    /// <summary>Runs before each test; override to start what the test needs (a server, say).</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Disconnects every communicator and disposes the layer, then fails the test on an unexpected error log.</summary>
    public virtual async Task DisposeAsync()
    {
        foreach (var communicator in _communicators)
        {
            await communicator.DisposeAsync();
        }

        await Layer.DisposeAsync();
        await BeforeShutdownAsync();
        var errors = UnexpectedErrors.For(Sys).Events;
        if (errors.Count > 0)
        {
            throw new ExpectationFailedException(
                $"{errors.Count} error(s) were logged that no EventFilter expected; the first: {Describe(errors.First())}");
        }
    }

    /// <summary>Runs after each test, before the checks and the system's shutdown: dispose what the test built on the system.</summary>
    protected virtual Task BeforeShutdownAsync() => Task.CompletedTask;

    private static string Describe(LogEvent error) =>
        $"[{error.LogSource}] {error.Message}" + (error.Cause is { } cause ? $" ({cause.GetType().Name}: {cause.Message})" : "");
}
