using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// A real three-master Redis Cluster on free loopback ports (each with its cluster bus port, +10000, free too),
/// made with <c>redis-cli --cluster create</c>, and stopped and deleted afterwards. Admin commands go through redis-cli.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actorchat-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<Process> _processes = [];

    private RedisCluster(int[] ports) => Ports = ports;

    /// <summary>The masters' ports, in the order they were created (slots 0-5460, 5461-10922, 10923-16383).</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>The masters as <c>127.0.0.1:port</c>.</summary>
    public string[] Endpoints => [.. Ports.Select(p => $"127.0.0.1:{p}")];

    public static async Task<RedisCluster> StartAsync(int masters = 3)
    {
        var cluster = new RedisCluster(FreePorts(masters));
        try
        {
            await cluster.StartProcessesAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Runs a command with redis-cli against the master on <paramref name="port"/> and returns its output.</summary>
    public static async Task<string> CliAsync(int port, params string[] args)
    {
        var cli = Process.Start(new ProcessStartInfo("redis-cli", ["-p", port.ToString(), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output.Trim();
    }

    /// <summary>The slot of <paramref name="key"/>, as Redis computes it.</summary>
    public async Task<int> SlotAsync(string key) => int.Parse(await CliAsync(Ports[0], "CLUSTER", "KEYSLOT", key));

    /// <summary>The port of the master that owns <paramref name="key"/>'s slot now: the one that does not redirect.</summary>
    public async Task<int> OwnerPortAsync(string key)
    {
        foreach (var port in Ports)
        {
            if (!(await CliAsync(port, "EXISTS", key)).StartsWith("MOVED", StringComparison.Ordinal))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"Every master redirects '{key}'.");
    }

    /// <summary>Gives an empty slot to another master (CLUSTER SETSLOT … NODE on every master), as a resharding would.</summary>
    /// <remarks>
    /// The new owner first takes the cluster's highest config epoch (CLUSTER BUMPEPOCH), as an importing node does when
    /// it is given the slot. Without it, the old owner's gossip, still claiming the slot under a higher epoch, could
    /// win back the new owner before the old owner heard of the move, and each would then redirect to the other.
    /// </remarks>
    public async Task MoveSlotAsync(int slot, int toPort)
    {
        var target = await CliAsync(toPort, "CLUSTER", "MYID");
        Assert.Matches("^(BUMPED|STILL) [0-9]+$", await CliAsync(toPort, "CLUSTER", "BUMPEPOCH"));
        foreach (var port in Ports.OrderBy(p => p == toPort ? 0 : 1)) // the new owner first, as the reference procedure does
        {
            Assert.Equal("OK", await CliAsync(port, "CLUSTER", "SETSLOT", slot.ToString(), "NODE", target));
        }
    }

    /// <summary>Kills one master, as a crash would.</summary>
    public async Task KillAsync(int port)
    {
        var process = _processes[Ports.ToList().IndexOf(port)];
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task StartProcessesAsync()
    {
        Directory.CreateDirectory(_directory);
        var binary = RedisServer.Binary();
        foreach (var port in Ports)
        {
            _processes.Add(Process.Start(new ProcessStartInfo(binary,
                ["--port", port.ToString(), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf",
                 "--dir", _directory, "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!);
        }

        foreach (var port in Ports)
        {
            await RedisServer.WaitUntilAsync(async () => await CliAsync(port, "PING") == "PONG", $"redis-server on port {port} to answer PING", TimeSpan.FromSeconds(20));
        }

        var create = await CliAsync(Ports[0], ["--cluster", "create", .. Endpoints, "--cluster-replicas", "0", "--cluster-yes"]);
        Assert.Contains("All 16384 slots covered", create);
        foreach (var port in Ports)
        {
            await RedisServer.WaitUntilAsync(async () => (await CliAsync(port, "CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal), $"the master on port {port} to report cluster_state:ok", TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Ports p with p + 10000 (the cluster bus) free as well.</summary>
    private static int[] FreePorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Random.Shared.Next(20_000, 45_000);
            if (!ports.Contains(port) && IsFree(port) && IsFree(port + 10_000))
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>One Redis Cluster for a whole test class.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await RedisCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
