using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ActorChat.ChannelLayer.Tests;
using Xunit.Abstractions;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// Presence over three nodes (two in this process, one a process of its own to SIGKILL), on the cluster layer and on
/// Redis: every node lists everyone within the documented bound, a killed node's entries go, each leave reaches a
/// watcher once, and random joins, leaves and kills leave no phantom entry.
/// </summary>
public sealed class PresenceAcrossNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Room = "/ws/chat/crowd/";
    private RedisServer? _redis;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private async Task<string[]> RedisNodeAsync(string id)
    {
        _redis ??= await RedisServer.StartAsync();
        return ["node:layer=redis", $"node:redis:0={_redis.Endpoint}", $"node:id={id}", "Redis:MembershipTtl=2s", "Redis:HeartbeatInterval=300ms"];
    }

    /// <summary>The three nodes: two here, the third a process; the settings make them one cluster or share one Redis.</summary>
    private async Task<(GatewayServer N1, GatewayServer N2, NodeProcess N3)> ThreeNodesAsync(bool cluster)
    {
        if (cluster)
        {
            var seed = ClusterGatewayTests.FreePort();
            var n1 = await ClusterGatewayTests.NodeAsync("n1", seed, null);
            var n2 = await ClusterGatewayTests.NodeAsync("n2", 0, seed);
            foreach (var node in new[] { n1, n2 })
            {
                node.ExpectErrorLogs("Association", "association", "Quarantined", "unreachable", "Unreachable");
            }

            return (n1, n2, NodeProcess.Start([.. ClusterGatewayTests.ClusterNode("n3", 0, seed)]));
        }

        return (await GatewayServer.StartAsync(await RedisNodeAsync("n1")), await GatewayServer.StartAsync(await RedisNodeAsync("n2")),
            NodeProcess.Start(await RedisNodeAsync("n3")));
    }

    /// <summary>A chat client with a nickname; its first frame is the room's presence state.</summary>
    private static async Task<WsClient> JoinAsync(Func<string, Task<WsClient>> connect, string nick)
    {
        var client = await connect($"{Room}?nick={nick}");
        Assert.Equal("presence_state", (await client.ReceiveJsonAsync()).GetProperty("event").GetString());
        return client;
    }

    /// <summary>Key → number of metas, as <c>GET /api/rooms/crowd/presence</c> on the node at <paramref name="http"/> lists them.</summary>
    private static async Task<SortedDictionary<string, int>> PresenceAsync(Uri http)
    {
        using var client = new HttpClient { BaseAddress = http };
        var body = await client.GetFromJsonAsync<JsonElement>("/api/rooms/crowd/presence");
        return new SortedDictionary<string, int>(body.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("metas").GetArrayLength()), StringComparer.Ordinal);
    }

    private static string Describe(IDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key}×{c.Value}"));

    [Theory]
    [InlineData(true, 30)] // failure detection, the split brain resolver's stable-after, removal, then the oldest node's cleanup
    [InlineData(false, 10)] // Redis:MembershipTtl (2 s here) plus a heartbeat's sweep
    public async Task Every_node_lists_everyone_a_killed_nodes_entries_go_and_a_watcher_gets_each_leave_once(bool cluster, int killBoundSeconds)
    {
        var (n1, n2, n3) = await ThreeNodesAsync(cluster);
        await using var _1 = n1;
        await using var _2 = n2;
        using var _3 = n3;
        Uri[] all = [n1.HttpBase, n2.HttpBase, new($"http://127.0.0.1:{n3.Port}/")];

        await using var watcher = await JoinAsync(path => WsClient.ConnectAsync(n1.Ws(path)), "watcher");
        var stopwatch = Stopwatch.StartNew();
        await using var ada = await JoinAsync(path => WsClient.ConnectAsync(n2.Ws(path)), "ada");
        var bob1 = await JoinAsync(n3.ConnectWhenUpAsync, "bob");
        var bob2 = await JoinAsync(n3.ConnectWhenUpAsync, "bob"); // a second tab: one key, two metas
        var joined = stopwatch.Elapsed;
        var everyone = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["ada"] = 1, ["bob"] = 2, ["watcher"] = 1 };
        foreach (var node in all)
        {
            await Eventually.AssertAsync(async () => Assert.Equal(Describe(everyone), Describe(await PresenceAsync(node))), TimeSpan.FromSeconds(5));
        }

        output.WriteLine($"{(cluster ? "cluster" : "redis")}: every node listed everyone {(stopwatch.Elapsed - joined).TotalMilliseconds:F0} ms after the last join");

        // The watcher folds the diffs it gets: each of the four other connections joins once.
        var view = new DiffView();
        while (view.Joins.Count < 4) // its own, ada, and bob twice
        {
            view.Apply(await watcher.ReceiveJsonAsync(TimeSpan.FromSeconds(10)));
        }

        n3.Process.Kill(); // SIGKILL: no goodbye, no leave, no untrack
        await n3.Process.WaitForExitAsync();
        bob1.Socket.Abort();
        bob2.Socket.Abort();
        stopwatch.Restart();
        var survivors = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["ada"] = 1, ["watcher"] = 1 };
        foreach (var node in all.Take(2))
        {
            await Eventually.AssertAsync(async () => Assert.Equal(Describe(survivors), Describe(await PresenceAsync(node))), TimeSpan.FromSeconds(killBoundSeconds));
        }

        output.WriteLine($"the killed node's entries were gone from both lists after {stopwatch.Elapsed.TotalSeconds:F1} s");
        while (view.LeftKeys.GetValueOrDefault("bob") < 2)
        {
            view.Apply(await watcher.ReceiveJsonAsync(TimeSpan.FromSeconds(killBoundSeconds)));
        }

        Assert.True(view.Leaves.Values.All(count => count == 1), $"a meta left more than once; the watcher got:\n{view.Log}"); // each of bob's two metas left exactly once
        Assert.True(view.Present.Values.Distinct().Order().SequenceEqual(["ada", "watcher"]), $"the watcher's folded view is [{string.Join(", ", view.Present.Values.Order())}]; it got:\n{view.Log}");

        // Nothing more about bob follows: a chat message sent now is the next frame the watcher gets.
        await ada.SendJsonAsync(new { message = "after" });
        var next = await watcher.ReceiveJsonAsync();
        Assert.Equal("after", next.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Twenty_rounds_of_random_joins_leaves_and_kills_leave_no_phantom_entries(bool cluster)
    {
        var (n1, n2, n3) = await ThreeNodesAsync(cluster);
        await using var _1 = n1;
        await using var _2 = n2;
        using var _3 = n3;
        var random = new Random(cluster ? 5 : 7);
        var open = new List<(WsClient Client, string Nick, int Node)>();
        string[] nicks = ["ada", "bob", "cy", "dee"];
        Func<string, Task<WsClient>>[] connect = [path => WsClient.ConnectAsync(n1.Ws(path)), path => WsClient.ConnectAsync(n2.Ws(path)), n3.ConnectWhenUpAsync];
        var n3Alive = true;
        try
        {
            for (var round = 0; round < 20; round++)
            {
                if (round == 12)
                {
                    n3.Process.Kill(); // a node dies with its connections
                    await n3.Process.WaitForExitAsync();
                    n3Alive = false;
                    foreach (var dead in open.Where(o => o.Node == 2).ToList())
                    {
                        dead.Client.Socket.Abort();
                        open.Remove(dead);
                    }
                }

                for (var joins = random.Next(1, 4); joins > 0; joins--)
                {
                    var node = random.Next(n3Alive ? 3 : 2);
                    var nick = nicks[random.Next(nicks.Length)];
                    open.Add((await JoinAsync(connect[node], nick), nick, node));
                }

                if (open.Count > 2)
                {
                    var leaving = open[random.Next(open.Count)];
                    open.Remove(leaving);
                    await leaving.Client.DisposeAsync(); // a close handshake

                    var killed = open[random.Next(open.Count)];
                    open.Remove(killed);
                    killed.Client.Socket.Abort(); // a client that just vanishes
                }
            }

            var expected = new SortedDictionary<string, int>(open.GroupBy(o => o.Nick).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
            output.WriteLine($"open at the end: {Describe(expected)}");
            foreach (var node in new[] { n1.HttpBase, n2.HttpBase })
            {
                await Eventually.AssertAsync(async () => Assert.Equal(Describe(expected), Describe(await PresenceAsync(node))), TimeSpan.FromSeconds(cluster ? 40 : 15));
            }
        }
        finally
        {
            foreach (var (client, _, _) in open)
            {
                client.Socket.Abort();
            }
        }
    }

    /// <summary>A watcher's view folded from <c>presence.diff</c> frames, with how often each connection joined and left.</summary>
    private sealed class DiffView
    {
        public Dictionary<string, string> Present { get; } = new(StringComparer.Ordinal); // channel → key

        public Dictionary<string, int> Joins { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Leaves { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> LeftKeys { get; } = new(StringComparer.Ordinal);

        /// <summary>Every frame applied, one per line, for a failure's message.</summary>
        public StringBuilder Log { get; } = new();

        public void Apply(JsonElement frame)
        {
            Log.AppendLine(frame.GetRawText());
            if (frame.TryGetProperty("event", out var type) && type.GetString() == "presence_diff")
            {
                Fold(frame.GetProperty("joins"), join: true);
                Fold(frame.GetProperty("leaves"), join: false);
            }
        }

        private void Fold(JsonElement byKey, bool join)
        {
            foreach (var key in byKey.EnumerateObject())
            {
                foreach (var meta in key.Value.GetProperty("metas").EnumerateArray())
                {
                    var channel = meta.GetProperty("channel").GetString()!;
                    if (join)
                    {
                        Present[channel] = key.Name;
                        Joins[channel] = Joins.GetValueOrDefault(channel) + 1;
                    }
                    else
                    {
                        Present.Remove(channel);
                        Leaves[channel] = Leaves.GetValueOrDefault(channel) + 1;
                        LeftKeys[key.Name] = LeftKeys.GetValueOrDefault(key.Name) + 1;
                    }
                }
            }
        }
    }
}
