using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>A real redis-server on a free loopback port, started and stopped by the test, never left running.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port; returns once Redis answers PING.</summary>
    public async Task StartProcessAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Binary(),
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await WaitUntilAsync(PingAsync, $"redis-server on port {Port} to answer PING", TimeSpan.FromSeconds(10));
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"Timed out after {timeout.TotalSeconds:g} s waiting for {what}.");
    }

    /// <summary>Kills the server (as a crash would) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process = null;
    }

    /// <summary>
    /// Freezes the server (SIGSTOP) or wakes it (SIGCONT): its connections stay open and commands go unanswered, as with
    /// a hung or overloaded Redis. A frozen server still stops on <see cref="StopAsync"/>.
    /// </summary>
    public async Task FreezeAsync(bool frozen)
    {
        var process = _process ?? throw new InvalidOperationException("redis-server is not running.");
        using var signal = Process.Start("kill", [frozen ? "-STOP" : "-CONT", process.Id.ToString()]);
        await signal.WaitForExitAsync();
        Assert.Equal(0, signal.ExitCode);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The installed redis-server, or a clear error that says how to get it.</summary>
    internal static string Binary() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run scripts/test, which installs it with apt-get.");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One redis-server for a whole test class.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
