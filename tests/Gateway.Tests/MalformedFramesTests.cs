using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// Bad input at the frame level, over a raw TCP socket: every malformed frame gets its close code, and the node
/// keeps serving everyone else. The cases are drawn at random (with a logged seed) and mixed with valid traffic.
/// </summary>
public sealed class MalformedFramesTests
{
    private sealed record Case(string Name, Func<byte[]> Frame, int ExpectedCode);

    private static byte[] Masked(byte first, byte[] payload, byte? lengthByte = null)
    {
        var key = RandomNumberGenerator.GetBytes(4);
        var header = new List<byte> { first };
        if (lengthByte is { } forced)
        {
            header.Add((byte)(0x80 | forced));
        }
        else if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            header.Add(0x80 | 126);
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }

        header.AddRange(key);
        return [.. header, .. payload.Select((b, i) => (byte)(b ^ key[i % 4]))];
    }

    private static readonly Case[] Cases =
    [
        new("unmasked client frame", () => [0x81, 4, (byte)'p', (byte)'i', (byte)'n', (byte)'g'], 1002),
        new("reserved bit set", () => Masked(0xC1, "hi"u8.ToArray()), 1002),
        new("unknown opcode", () => Masked(0x83, "hi"u8.ToArray()), 1002),
        new("control frame over 125 bytes", () => Masked(0x89, new byte[126]), 1002),
        new("fragmented ping", () => Masked(0x09, "p"u8.ToArray()), 1002),
        new("continuation without a start", () => Masked(0x80, "x"u8.ToArray()), 1002),
        new("invalid UTF-8 in text", () => Masked(0x81, [0xC3, 0x28]), 1007),
        new("close with an invalid code", () => Masked(0x88, [0x03, 0xE7]), 1002),
        new("message over the size limit", () => Masked(0x81, Encoding.ASCII.GetBytes(new string('x', 2000))), 1009),
    ];

    /// <summary>
    /// RFC 6455: a server closes on an unmasked client frame (1002). The receive side (ASP.NET Core's WebSocket) reads a
    /// masked header's worth of bytes (6) before judging a frame, so a shorter unmasked frame waits like any half-sent
    /// frame until the keep-alive drops the connection; a whole one is refused at once.
    /// </summary>
    [Fact]
    public async Task An_unmasked_client_frame_is_closed_with_1002()
    {
        await using var server = await GatewayServer.StartAsync();
        using var raw = await RawClient.OpenAsync(server.HttpBase.Port);
        await raw.SendAsync([0x81, 4, (byte)'p', (byte)'i', (byte)'n', (byte)'g']);
        Assert.Equal(1002, await raw.ReadCloseCodeAsync());
    }

    [Fact]
    public async Task Random_malformed_frames_each_get_their_close_code_and_the_node_keeps_serving()
    {
        await using var server = await GatewayServer.StartAsync("Bridge:MaxMessageSize=1024");
        await using var bystander = await WsClient.ConnectAsync(server.Ws("/ws/echo/"));
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var chosen = Cases[random.Next(Cases.Length)];
            using var raw = await RawClient.OpenAsync(server.HttpBase.Port);
            for (var valid = random.Next(3); valid > 0; valid--)
            {
                await raw.SendAsync(Masked(0x81, "ping"u8.ToArray())); // some valid traffic first
                Assert.Equal("pong!", await raw.ReadTextAsync());
            }

            await raw.SendAsync(chosen.Frame());
            int code;
            try
            {
                code = await raw.ReadCloseCodeAsync();
            }
            catch (Exception ex) when (ex is TimeoutException or EndOfStreamException or IOException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, round {round}, {chosen.Name}: no close frame ({ex.Message})");
            }

            Assert.True(code == chosen.ExpectedCode, $"seed {seed}, round {round}, {chosen.Name}: expected close {chosen.ExpectedCode}, got {code}");
        }

        await bystander.SendTextAsync("ping");
        Assert.Equal("pong!", await bystander.ReceiveTextAsync());
    }

    /// <summary>A client that speaks WebSocket by hand, so it can say things ClientWebSocket never would.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;

        private RawClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<RawClient> OpenAsync(int port)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync("127.0.0.1", port);
            var client = new RawClient(tcp);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            await client.SendAsync(Encoding.ASCII.GetBytes(
                $"GET /ws/echo/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
            var response = new StringBuilder();
            while (!response.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                response.Append((char)await client.ReadByteAsync());
            }

            Assert.StartsWith("HTTP/1.1 101", response.ToString());
            return client;
        }

        public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

        public async Task<string> ReadTextAsync()
        {
            var (opcode, payload) = await ReadFrameAsync();
            Assert.Equal(0x1, opcode);
            return Encoding.UTF8.GetString(payload);
        }

        /// <summary>Reads frames until the server's close and returns its code.</summary>
        public async Task<int> ReadCloseCodeAsync()
        {
            while (true)
            {
                var (opcode, payload) = await ReadFrameAsync();
                if (opcode == 0x8)
                {
                    return payload.Length >= 2 ? payload[0] << 8 | payload[1] : 1005;
                }
            }
        }

        private async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
        {
            var first = await ReadByteAsync();
            var second = await ReadByteAsync();
            Assert.True((second & 0x80) == 0, "a server frame must not be masked");
            long length = second & 0x7F;
            if (length == 126)
            {
                length = (await ReadByteAsync() << 8) | await ReadByteAsync();
            }
            else if (length == 127)
            {
                length = 0;
                for (var i = 0; i < 8; i++)
                {
                    length = (length << 8) | (uint)await ReadByteAsync();
                }
            }

            var payload = new byte[length];
            for (var read = 0; read < length;)
            {
                read += await _stream.ReadAsync(payload.AsMemory(read)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }

            return (first & 0x0F, payload);
        }

        private async Task<int> ReadByteAsync()
        {
            var one = new byte[1];
            var read = await _stream.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the TCP connection without a close frame");
            }

            return one[0];
        }

        public void Dispose() => _tcp.Dispose();
    }
}
