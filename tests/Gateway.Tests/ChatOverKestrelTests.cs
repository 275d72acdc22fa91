using System.Net;
using System.Net.WebSockets;
using System.Text;
using Akka;
using Akka.Actor;
using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Gateway.Tests;

/// <summary>The node over real sockets: Kestrel on 127.0.0.1, ClientWebSocket clients.</summary>
public sealed class ChatOverKestrelTests
{
    [Fact]
    public async Task Fifty_clients_in_two_rooms_get_every_message_of_their_room_once_in_sender_order_and_nothing_else()
    {
        await using var server = await GatewayServer.StartAsync();
        const int perRoom = 25, messagesEach = 5;
        string[] rooms = ["red", "blue"];
        var clients = new List<(string Room, int Index, WsClient Client)>();
        foreach (var room in rooms)
        {
            for (var i = 0; i < perRoom; i++)
            {
                clients.Add((room, i, await WsClient.ConnectAsync(server.Ws($"/ws/chat/{room}/"))));
            }
        }

        await RoomTraffic.AssertEveryMessageArrivesOnceInOrderAsync(clients, messagesEach);

        foreach (var (_, _, client) in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>The node's default upgrade (over the transport pipe), or ASP.NET Core's accept, as on a connection with no pipe.</summary>
    private static Action<WebApplicationBuilder> UpgradePath(bool transportPipe) => builder =>
    {
        if (!transportPipe)
        {
            builder.Services.AddTransient<IStartupFilter, WithoutTransportPipe>();
        }
    };

    [Theory]
    [InlineData(true)]  // Kestrel's transport pipe: the bridge's own handshake, frames written directly, one flush per burst
    [InlineData(false)] // no transport pipe (as over HTTP/2): ASP.NET Core's accept, frame by frame
    public async Task Both_upgrade_paths_keep_order_framing_and_close_codes(bool transportPipe)
    {
        await using var server = await GatewayServer.StartAsync(UpgradePath(transportPipe), "Bridge:MaxMessageSize=65536");
        var clients = new List<WsClient>();
        for (var i = 0; i < 4; i++)
        {
            clients.Add(await WsClient.ConnectAsync(server.Ws("/ws/chat/switches/")));
        }

        const int each = 50;
        await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
        {
            for (var seq = 0; seq < each; seq++)
            {
                await c.SendJsonAsync(new { message = $"{i}:{seq}:{new string('z', seq * 97)}" }); // sizes vary, so frames would tear visibly
            }
        })));
        foreach (var client in clients)
        {
            var got = new List<string[]>();
            for (var n = 0; n < clients.Count * each; n++)
            {
                got.Add((await client.ReceiveJsonAsync()).GetProperty("message").GetString()!.Split(':'));
            }

            foreach (var bySender in got.GroupBy(p => p[0]))
            {
                Assert.Equal(Enumerable.Range(0, each), bySender.Select(p => int.Parse(p[1])));
                Assert.All(bySender, p => Assert.Equal(int.Parse(p[1]) * 97, p[2].Length));
            }
        }

        await using var echo = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await echo.SendTextAsync("ping");
        Assert.Equal("pong!", await echo.ReceiveTextAsync());
        await echo.SendAsync([9, 8, 7], WebSocketMessageType.Binary);
        Assert.Equal([9, 8, 7], (await echo.ReceiveAsync()).Data);

        // The reader waits for each message with a zero-byte receive and rents its buffer only when one begins: empty
        // messages, and one in fragments sent one by one (an empty one among them), come through whole.
        await echo.SendTextAsync("");
        Assert.Equal("", await echo.ReceiveTextAsync());
        await echo.SendAsync([], WebSocketMessageType.Binary);
        var emptyBinary = await echo.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, emptyBinary.Type);
        Assert.Empty(emptyBinary.Data);
        foreach (var (fragment, last) in new[] { ("frag", false), ("", false), ("ment", false), ("ed", true) })
        {
            await echo.Socket.SendAsync(Encoding.UTF8.GetBytes(fragment), WebSocketMessageType.Text, last, CancellationToken.None);
        }

        Assert.Equal("fragmented", await echo.ReceiveTextAsync());
        await echo.SendTextAsync(new string('x', 70_000));
        Assert.Equal(CloseCodes.MessageTooBig, await echo.ReceiveCloseAsync());
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Control_frames_never_land_inside_a_directly_written_data_frame()
    {
        await using var server = await GatewayServer.StartAsync("Bridge:MaxMessageSize=262144");
        // The listener pings every 5 ms, so the server's pongs race the writer's frames all through the burst.
        await using var listener = await WsClient.ConnectAsync(server.Ws("/ws/chat/pings/"), keepAlivePings: TimeSpan.FromMilliseconds(5));
        await using var sender = await WsClient.ConnectAsync(server.Ws("/ws/chat/pings/"));
        const int count = 300;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await sender.SendJsonAsync(new { message = $"{i}:{new string('q', i * 331 % 90_000)}" }); // 7-, 16- and 64-bit lengths
            }
        });
        for (var i = 0; i < count; i++)
        {
            var text = (await listener.ReceiveJsonAsync(TimeSpan.FromSeconds(20))).GetProperty("message").GetString()!;
            Assert.Equal($"{i}:{new string('q', i * 331 % 90_000)}", text);
        }

        await sending;
    }

    [Fact]
    public async Task Echo_answers_ping_with_pong_and_echoes_text_and_binary()
    {
        await using var server = await GatewayServer.StartAsync();
        await using var client = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await client.SendTextAsync("ping");
        Assert.Equal("pong!", await client.ReceiveTextAsync());
        await client.SendTextAsync("hello, node");
        Assert.Equal("hello, node", await client.ReceiveTextAsync());
        await client.SendAsync([0, 1, 2, 255], WebSocketMessageType.Binary);
        var (type, data) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal([0, 1, 2, 255], data);
    }

    [Fact]
    public async Task An_oversize_message_gets_1009_and_the_node_serves_others()
    {
        await using var server = await GatewayServer.StartAsync("Bridge:MaxMessageSize=65536");
        await using var bystander = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await using var client = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await client.SendTextAsync(new string('x', 65_537));
        Assert.Equal(CloseCodes.MessageTooBig, await client.ReceiveCloseAsync());

        await using var fits = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await fits.SendTextAsync(new string('y', 65_536));
        Assert.Equal(65_536, (await fits.ReceiveTextAsync()).Length);
        await bystander.SendTextAsync("ping");
        Assert.Equal("pong!", await bystander.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_bad_origin_gets_403_before_any_consumer_and_the_own_host_is_allowed()
    {
        await using var server = await GatewayServer.StartAsync();
        var metrics = server.Service<BridgeMetrics>();
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(server.Ws("/ws/chat/lobby/"), origin: "http://evil.example"));
        Assert.Contains("403", ex.Message);
        Assert.Equal(0, metrics.ConnectionsTotal);

        await using var sameHost = await WsClient.ConnectAsync(server.Ws("/ws/echo/"), origin: server.HttpBase.GetLeftPart(UriPartial.Authority));
        await sameHost.SendTextAsync("ping");
        Assert.Equal("pong!", await sameHost.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_configured_origin_is_allowed()
    {
        await using var server = await GatewayServer.StartAsync("Bridge:AllowedOrigins:0=https://chat.example.com");
        await using var allowed = await WsClient.ConnectAsync(server.Ws("/ws/echo/"), origin: "https://chat.example.com");
        await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(server.Ws("/ws/echo/"), origin: "https://other.example.com"));
    }

    [Theory]
    [InlineData("bad%20room")]
    [InlineData("no!bang")]
    public async Task A_room_name_that_is_no_valid_group_is_refused_with_403(string room)
    {
        await using var server = await GatewayServer.StartAsync();
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(server.Ws($"/ws/chat/{room}/")));
        Assert.Contains("403", ex.Message);
    }

    [Fact]
    public async Task Bad_frames_get_their_close_codes_and_other_connections_keep_working()
    {
        await using var server = await GatewayServer.StartAsync();
        await using var bystander = await WsClient.ConnectAsync(server.Ws("/ws/chat/calm/"));

        await using var badJson = await WsClient.ConnectAsync(server.Ws("/ws/chat/noisy/"));
        await badJson.SendTextAsync("{not json");
        Assert.Equal(CloseCodes.InvalidPayload, await badJson.ReceiveCloseAsync());

        await using var badUtf8 = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await badUtf8.SendAsync([0xC3, 0x28], WebSocketMessageType.Text);
        Assert.Equal(CloseCodes.InvalidPayload, await badUtf8.ReceiveCloseAsync());

        await using var binary = await WsClient.ConnectAsync(server.Ws("/ws/chat/noisy/"));
        await binary.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(CloseCodes.UnsupportedData, await binary.ReceiveCloseAsync());

        await using var wrongShape = await WsClient.ConnectAsync(server.Ws("/ws/chat/noisy/"));
        await wrongShape.SendJsonAsync(new { text = "no message field" });
        Assert.Contains("expected an object like", (await wrongShape.ReceiveJsonAsync()).GetProperty("error").GetString());

        await bystander.SendJsonAsync(new { message = "still fine" });
        Assert.Equal("still fine", (await bystander.ReceiveJsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_plain_http_request_to_a_websocket_endpoint_gets_400()
    {
        await using var server = await GatewayServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var response = await http.GetAsync("/ws/chat/lobby/");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket endpoint", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_closed_while_the_others_receive_everything()
    {
        await using var server = await GatewayServer.StartAsync("Bridge:OutgoingQueueCapacity=8", "Bridge:MaxMessageSize=262144", "Bridge:CloseTimeout=00:00:02");
        var metrics = server.Service<BridgeMetrics>();
        await using var sender = await WsClient.ConnectAsync(server.Ws("/ws/chat/firehose/"));
        var readers = new List<WsClient>();
        for (var i = 0; i < 2; i++)
        {
            readers.Add(await WsClient.ConnectAsync(server.Ws("/ws/chat/firehose/")));
        }

        await using var slow = await WsClient.ConnectAsync(server.Ws("/ws/chat/firehose/"));
        const int count = 400;
        var padding = new string('p', 64 * 1024);
        var received = new int[readers.Count];
        var reading = readers.Select((r, index) => Task.Run(async () =>
        {
            var seen = new List<int>();
            for (var i = 0; i < count; i++)
            {
                var text = (await r.ReceiveJsonAsync(TimeSpan.FromSeconds(30))).GetProperty("message").GetString()!;
                seen.Add(int.Parse(text[..text.IndexOf(':')]));
                Volatile.Write(ref received[index], i + 1);
            }

            return seen;
        })).ToList();

        for (var i = 0; i < count; i++)
        {
            // Closed loop on every reader, not only the sender: a reader task starved by a busy test host must not fall
            // a queue's worth (8) behind and be closed as slow itself. Four behind at most leaves room for what the
            // socket buffers hold.
            await Eventually.AssertAsync(() => Assert.True(received.Min() >= i - 4, $"a reader is still at message {received.Min()}"), TimeSpan.FromSeconds(30));
            await sender.SendJsonAsync(new { message = $"{i}:{padding}" });
            var own = (await sender.ReceiveJsonAsync(TimeSpan.FromSeconds(30))).GetProperty("message").GetString()!;
            Assert.StartsWith($"{i}:", own);
        }

        foreach (var seen in await Task.WhenAll(reading))
        {
            Assert.Equal(Enumerable.Range(0, count), seen);
        }

        await Eventually.AssertAsync(() => Assert.Equal(1, metrics.SlowConsumerCloses), TimeSpan.FromSeconds(10));

        // The slow client finds its connection ended: a 1013 close after what fitted in the buffers, or an abort.
        var slowReceived = 0;
        try
        {
            while (true)
            {
                var (type, _) = await slow.ReceiveAsync(TimeSpan.FromSeconds(10));
                if (type == WebSocketMessageType.Close)
                {
                    Assert.Equal(CloseCodes.TryAgainLater, (int)slow.Socket.CloseStatus!.Value);
                    break;
                }

                slowReceived++;
            }
        }
        catch (WebSocketException)
        {
        }

        Assert.InRange(slowReceived, 0, count - 1);
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true)]  // the reader waits with zero-byte receives on the bridge's own stream over the transport pipe
    [InlineData(false)] // and on ASP.NET Core's accept
    public async Task A_silent_client_is_dropped_after_the_keep_alive_timeout_while_a_reading_one_stays(bool transportPipe)
    {
        await using var server = await GatewayServer.StartAsync(
            UpgradePath(transportPipe), "Bridge:KeepAliveInterval=00:00:00.500", "Bridge:KeepAliveTimeout=00:00:00.500");
        var metrics = server.Service<BridgeMetrics>();
        await using var silent = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        await using var lively = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        var livelyReading = lively.ReceiveAsync(TimeSpan.FromSeconds(30)); // a pending receive answers pings

        await Eventually.AssertAsync(() => Assert.Equal(1, metrics.ConnectionsOpen), TimeSpan.FromSeconds(10));
        await lively.SendTextAsync("ping");
        Assert.Equal("pong!", Encoding.UTF8.GetString((await livelyReading).Data));
    }

    [Fact]
    public async Task Shutdown_closes_every_socket_with_1001_after_the_consumers_left_their_groups()
    {
        var server = await GatewayServer.StartAsync();
        var clients = new List<WsClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await WsClient.ConnectAsync(server.Ws("/ws/chat/lobby/")));
        }

        var layer = server.Service<IChannelLayer>();
        Assert.Equal(3, (await layer.GroupMembersAsync("chat_lobby")).Count);

        // CoordinatedShutdown runs after the sockets have drained: by its first phase, every consumer has left.
        var membersWhenAkkaStops = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        CoordinatedShutdown.Get(server.Service<ActorSystem>()).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "count-members", async () =>
        {
            membersWhenAkkaStops.TrySetResult((await layer.GroupMembersAsync("chat_lobby")).Count);
            return Done.Instance;
        });
        var closes = clients.Select(c => c.ReceiveCloseAsync(TimeSpan.FromSeconds(10))).ToList();
        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.All(await Task.WhenAll(closes), code => Assert.Equal(CloseCodes.GoingAway, code));
        Assert.Equal(0, await membersWhenAkkaStops.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(server.Service<ActorSystem>().WhenTerminated.IsCompleted, "the actor system still runs after the host stopped");
        await server.DisposeAsync();
    }

    /// <summary>Hides the connection's transport pipe from the request, as a server without one (or HTTP/2) would.</summary>
    private sealed class WithoutTransportPipe : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Features.Set<IConnectionTransportFeature>(null);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
