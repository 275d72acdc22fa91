using ActorChat.Actors;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Consumers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace ActorChat.TestKit;

/// <summary>
/// A <see cref="TestKit"/> with a channel layer, for consumer tests: <see cref="Communicator{TConsumer}"/>
/// connects a consumer to <see cref="Layer"/> as a routed request would.
/// </summary>
public abstract class ConsumerTestKit : TestKit
{
    private readonly List<WebSocketCommunicator> _communicators = [];

    /// <summary>Creates the system and an in-memory layer over it.</summary>
    protected ConsumerTestKit(ChannelLayerOptions? layerOptions = null) => Layer = new InMemoryChannelLayer(Sys, layerOptions);

    /// <summary>The channel layer consumers in this test share.</summary>
    public IChannelLayer Layer { get; }

    /// <summary>
    /// A communicator for a <typeparamref name="TConsumer"/> at <paramref name="path"/>. With <paramref name="routePattern"/>
    /// (such as <c>/ws/chat/{room}/</c>), route values are taken from the path as endpoint routing would.
    /// </summary>
    public WebSocketCommunicator Communicator<TConsumer>(string path, string? routePattern = null, IReadOnlyList<string>? subprotocols = null)
        where TConsumer : WebSocketConsumer, new()
        => Communicator(Props.Create<TConsumer>(), path, routePattern, subprotocols);

    /// <summary>A communicator for the consumer <paramref name="props"/> makes (for consumers with constructor arguments).</summary>
    public WebSocketCommunicator Communicator(Props props, string path, string? routePattern = null, IReadOnlyList<string>? subprotocols = null)
    {
        var route = new RouteValueDictionary();
        if (routePattern is not null && !new TemplateMatcher(TemplateParser.Parse(routePattern), []).TryMatch(path.Split('?')[0], route))
        {
            throw new ArgumentException($"Path '{path}' does not match route pattern '{routePattern}'.", nameof(path));
        }

        var query = path.Contains('?') ? new QueryString(path[path.IndexOf('?')..]) : QueryString.Empty;
        var communicator = new WebSocketCommunicator(Sys, Layer, props, new Scope(path.Split('?')[0], route, query, subprotocols: subprotocols));
        _communicators.Add(communicator);
        return communicator;
    }

    /// <inheritdoc />
    protected override async Task BeforeShutdownAsync()
    {
        foreach (var communicator in _communicators)
        {
            await communicator.DisposeAsync();
        }

        await Layer.DisposeAsync();
    }
}
