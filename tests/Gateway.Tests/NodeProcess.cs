using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// A gateway node in a process of its own (the Debug build scripts/test makes), for what only a real process shows:
/// a SIGKILL, or a SIGTERM and the exit that follows. Killed on dispose if it is still running.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private NodeProcess(Process process, int port)
    {
        Process = process;
        Port = port;
    }

    public Process Process { get; }

    /// <summary>What the node wrote to stdout and stderr, line by line, in order.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    public int Port { get; }

    public Uri Ws(string path) => new($"ws://127.0.0.1:{Port}{path}");

    /// <summary>Starts a node on a free port; each setting is a configuration key, such as <c>Bridge:ShutdownTimeout=2s</c>.</summary>
    public static NodeProcess Start(params string[] settings) => Start(new Dictionary<string, string>(), settings);

    /// <summary>Starts a node as above, with <paramref name="environment"/> added to its environment variables.</summary>
    public static NodeProcess Start(IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        var dll = Path.Combine(Path.GetDirectoryName(RepoFiles.Find("ActorChat.sln"))!, "src/Gateway/bin/Debug/net10.0/ActorChat.Gateway.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; scripts/test builds it");
        var port = FreePort();
        var args = new List<string> { dll, $"--urls=http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings.Select(s => "--" + s));
        var process = new Process { StartInfo = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true } };
        foreach (var (name, value) in environment)
        {
            process.StartInfo.Environment[name] = value;
        }

        var node = new NodeProcess(process, port);
        process.OutputDataReceived += (_, line) => node.Record(line.Data);
        process.ErrorDataReceived += (_, line) => node.Record(line.Data);
        process.Start();
        process.BeginOutputReadLine(); // drained, so a chatty node never blocks on a full pipe
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Connects once the node answers, for up to 20 s (a fresh process takes a moment to listen).</summary>
    public async Task<WsClient> ConnectWhenUpAsync(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await WsClient.ConnectAsync(Ws(path));
            }
            catch (Exception) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200);
            }
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager stops a node.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
        }

        Process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
