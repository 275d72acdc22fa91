using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Gateway.Tests;

/// <summary>The chat page in real headless Chromium against a real node.</summary>
public sealed class ChatPageTests
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Patient = new() { Timeout = 20_000 };

    private static async Task<IPage> OpenAsync(BrowserSession session, Uri node, string room)
    {
        var page = await session.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(node, "/#" + room).ToString());
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "open", Patient);
        return page;
    }

    private static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#message", text);
        await page.PressAsync("#message", "Enter");
    }

    private static ILocator Line(IPage page, string text) => page.Locator("#log li", new PageLocatorOptions { HasText = text });

    [Fact]
    public async Task Two_pages_in_a_room_chat_a_third_room_sees_nothing_and_the_page_reconnects_after_a_restart()
    {
        var server = await GatewayServer.StartAsync();
        var port = server.HttpBase.Port;
        await using var session = await BrowserSession.StartAsync();
        var alice = await OpenAsync(session, server.HttpBase, "lobby");
        var bob = await OpenAsync(session, server.HttpBase, "lobby");
        var carol = await OpenAsync(session, server.HttpBase, "kitchen");

        await SayAsync(alice, "hello from alice");
        await Expect(Line(bob, "hello from alice")).ToBeVisibleAsync();
        await Expect(Line(alice, "hello from alice")).ToBeVisibleAsync();

        await SayAsync(carol, "kitchen talk");
        await Expect(Line(carol, "kitchen talk")).ToBeVisibleAsync();
        await Expect(Line(carol, "hello from alice")).ToHaveCountAsync(0);
        await Expect(Line(bob, "kitchen talk")).ToHaveCountAsync(0);

        await server.DisposeAsync();
        await Expect(alice.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting", Patient);
        await Expect(alice.Locator("#status")).ToContainTextAsync("Reconnecting");
        await Expect(alice.Locator("#message")).ToBeDisabledAsync();

        await using var restarted = await GatewayServer.StartAsync($"urls=http://127.0.0.1:{port}");
        await Expect(alice.Locator("#status")).ToHaveAttributeAsync("data-state", "open", Patient);
        await Expect(bob.Locator("#status")).ToHaveAttributeAsync("data-state", "open", Patient);
        await SayAsync(bob, "back again");
        await Expect(Line(alice, "back again")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Pages_in_a_room_see_each_others_names_live_and_a_closed_page_leaves_the_list()
    {
        await using var server = await GatewayServer.StartAsync();
        await using var session = await BrowserSession.StartAsync();
        var ada = await session.Browser.NewPageAsync();
        await ada.GotoAsync(new Uri(server.HttpBase, "/?nick=ada#lobby").ToString());
        var bob = await session.Browser.NewPageAsync();
        await bob.GotoAsync(new Uri(server.HttpBase, "/?nick=bob#lobby").ToString());

        await Expect(Person(ada, "bob")).ToBeVisibleAsync();
        await Expect(Person(bob, "ada")).ToBeVisibleAsync();
        await Expect(Person(ada, "ada")).ToHaveClassAsync("me");
        await Expect(ada.Locator("#people-count")).ToHaveTextAsync("2");
        await SayAsync(bob, "hi ada");
        await Expect(Line(ada, "bob: hi ada")).ToBeVisibleAsync();

        // A page without ?nick= asks for one; the name is kept for the next visit.
        var carol = await OpenAsync(session, server.HttpBase, "lobby");
        await Expect(Person(ada, "carol")).ToHaveCountAsync(0);
        await carol.FillAsync("#nick", "carol");
        await carol.PressAsync("#nick", "Enter");
        await Expect(Person(ada, "carol")).ToBeVisibleAsync();
        await Expect(Person(carol, "ada")).ToBeVisibleAsync();
        await carol.ReloadAsync();
        await Expect(carol.Locator("#nick")).ToHaveValueAsync("carol");
        await Expect(Person(carol, "bob")).ToBeVisibleAsync();
        await Expect(ada.Locator("#people-count")).ToHaveTextAsync("3");

        await bob.CloseAsync();
        await Expect(Person(ada, "bob")).ToHaveCountAsync(0);
        await Expect(Person(carol, "bob")).ToHaveCountAsync(0);
        await Expect(ada.Locator("#people-count")).ToHaveTextAsync("2");
    }

    private static ILocator Person(IPage page, string nick) => page.Locator($"#people li[data-key='{nick}']");

    [Fact]
    public async Task Two_pages_on_different_nodes_chat_through_redis()
    {
        await using var redis = await ActorChat.ChannelLayer.Tests.RedisServer.StartAsync();
        string[] Node(string id) => ["node:layer=redis", $"node:redis:0={redis.Endpoint}", $"node:id={id}"];
        await using var node1 = await GatewayServer.StartAsync(Node("web1"));
        await using var node2 = await GatewayServer.StartAsync(Node("web2"));
        await using var session = await BrowserSession.StartAsync();
        var alice = await OpenAsync(session, node1.HttpBase, "across");
        var bob = await OpenAsync(session, node2.HttpBase, "across");

        await SayAsync(alice, "hello from node one");
        await Expect(Line(bob, "hello from node one")).ToBeVisibleAsync();
        await SayAsync(bob, "hello back from node two");
        await Expect(Line(alice, "hello back from node two")).ToBeVisibleAsync();
        await Expect(Line(alice, "hello from node one")).ToHaveCountAsync(1); // delivered once, not once per node
    }

    [Fact]
    public async Task Two_pages_on_different_nodes_chat_through_an_akka_cluster_without_redis()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var seed = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string[] Node(string id, params string[] more) => ["node:layer=cluster", $"node:id={id}", .. more];
        await using var node1 = await GatewayServer.StartAsync(Node("web1", $"node:remotePort={seed}"));
        await using var node2 = await GatewayServer.StartAsync(Node("web2", $"node:seeds:0=127.0.0.1:{seed}"));
        node1.ExpectErrorLogs("Disassociated"); // Akka.Remote logs a peer's graceful stop at the end of the test as an error
        node2.ExpectErrorLogs("Disassociated");
        using (var http = new HttpClient { BaseAddress = node2.HttpBase })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await http.GetAsync("/readyz")).StatusCode != System.Net.HttpStatusCode.OK && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        await using var session = await BrowserSession.StartAsync();
        var alice = await OpenAsync(session, node1.HttpBase, "cluster");
        var bob = await OpenAsync(session, node2.HttpBase, "cluster");

        await SayAsync(alice, "hello over akka.remote");
        await Expect(Line(bob, "hello over akka.remote")).ToBeVisibleAsync();
        await SayAsync(bob, "and back");
        await Expect(Line(alice, "and back")).ToBeVisibleAsync();
        await Expect(Line(alice, "hello over akka.remote")).ToHaveCountAsync(1); // delivered once, not once per node
    }
}
