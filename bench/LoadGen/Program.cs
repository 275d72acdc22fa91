// The ActorChat load generator: real sockets against a running node, speaking the chat protocol.
//   dotnet run -c Release --project bench/LoadGen -- fanout --rooms 100 --members 10 --inflight 8
// Prints a progress line per second on stderr and one JSON result line on stdout.
using System.Diagnostics;
using System.Text.Json;
using ActorChat.LoadGen;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options.Scenario == "presence")
{
    var presence = await PresenceLoad.RunAsync(options);
    Console.WriteLine(JsonSerializer.Serialize(presence));
    return presence.Failed > 0 || presence.ConvergeSeconds < 0 ? 1 : 0;
}

var result = options.Scenario == "idle" ? await IdleLoad.RunAsync(options) : await ChatLoad.RunAsync(options);
Console.WriteLine(JsonSerializer.Serialize(result));
return result.Failed > 0 || result.Loss > 0 || result.Duplicates > 0 ? 1 : 0;

/// <summary>The result line.</summary>
internal sealed record LoadResult(
    string Scenario, int Connections, int Failed, long Sent, long Deliveries, double DeliveriesPerSecond,
    long Loss, long Duplicates, long P50Micros, long P99Micros, long P999Micros, long MaxMicros, long ServerBytesPerConnection,
    double ConnectSeconds);

internal static class Connector
{
    /// <summary>Opens every client, 64 at a time, spreading them over the bind addresses. Returns how many failed.</summary>
    public static Task<int> ConnectAllAsync(IReadOnlyList<(ChatClient Client, Uri Uri)> clients, LoadOptions options) =>
        ForEachAsync(clients.Count, "connect", (i, cancellationToken) =>
            clients[i].Client.ConnectAsync(clients[i].Uri, options.Bind.Length > 0 ? options.Bind[i % options.Bind.Length] : null, cancellationToken));

    /// <summary>Runs <paramref name="open"/> for 0 … count-1, 64 at a time, each within 60 s; prints progress; returns how many failed.</summary>
    public static async Task<int> ForEachAsync(int count, string what, Func<int, CancellationToken, Task> open)
    {
        var failed = 0;
        var opened = 0;
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await open(i, cts.Token);
                if (Interlocked.Increment(ref opened) % 1000 == 0)
                {
                    Console.Error.WriteLine($"{what}: {opened} open, {failed} failed");
                }
            }
            catch (Exception ex)
            {
                if (Interlocked.Increment(ref failed) <= 5)
                {
                    Console.Error.WriteLine($"{what} failed: {ex.Message}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.Error.WriteLine($"{what}: {opened} open, {failed} failed");
        return failed;
    }

    public static Uri RoomUri(LoadOptions options, string room, int member = 0)
    {
        var url = options.Urls[member % options.Urls.Length];
        var ws = new UriBuilder(url) { Scheme = url.Scheme == "https" ? "wss" : "ws" }.Uri;
        return new Uri(ws, string.Format(System.Globalization.CultureInfo.InvariantCulture, options.PathFormat, room));
    }
}

/// <summary>fanout and echo: rooms of members, some of them senders, closed loop or fixed rate.</summary>
internal static class ChatLoad
{
    public static async Task<LoadResult> RunAsync(LoadOptions o)
    {
        var clock = new RunClock();
        var stalls = o.StallMs > 0 ? new StallLog(o.StallMs) : null;
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = new List<(ChatClient Client, Uri Uri)>();
        for (var room = 0; room < o.Rooms; room++)
        {
            for (var m = 0; m < o.Members; m++)
            {
                var name = $"load-{run}-{room}";
                clients.Add((new ChatClient(room, name, o.WireFor(name), m < o.Senders ? m : -1, o.Senders, clock, stalls), Connector.RoomUri(o, name, m)));
            }
        }

        var connecting = Stopwatch.StartNew();
        var failed = await Connector.ConnectAllAsync(clients, o);
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        var all = clients.Select(c => c.Client).ToList();
        using var stopReceiving = new CancellationTokenSource();
        using var stopSending = new CancellationTokenSource();
        var receiving = all.Select(c => Task.Run(() => c.ReceiveLoopAsync(stopReceiving.Token))).ToList();
        var senders = all.Where(c => c.IsSender).ToList();
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + (long)(o.Warmup * Stopwatch.Frequency);
        var measureEnd = measureStart + (long)(o.Duration * Stopwatch.Frequency);
        clock.Open(measureStart, measureEnd);
        var pausedBefore = GC.GetTotalPauseDuration(); // over warm-up and window: enough to say whether this process paused
        var sending = senders.Select(s => Task.Run(() => s.SendLoopAsync(o.InFlight, o.Rate, o.Payload, stopSending.Token))).ToList();

        var last = 0L;
        while (Stopwatch.GetTimestamp() < measureEnd)
        {
            await Task.Delay(1000);
            var received = all.Sum(c => c.Received);
            var phase = Stopwatch.GetTimestamp() < measureStart ? "warmup" : "measure";
            Console.Error.WriteLine($"{phase} t={Stopwatch.GetElapsedTime(start).TotalSeconds:F0}s deliveries/s={received - last:N0} sent={senders.Sum(s => s.Sent):N0}");
            last = received;
        }

        var generatorPause = GC.GetTotalPauseDuration() - pausedBefore;
        stopSending.Cancel();
        await Task.WhenAll(sending);

        // Drain: everything sent must arrive. Wait until it has, or 10 s pass, then count what is missing.
        var byRoom = all.GroupBy(c => c.Room).ToDictionary(g => g.Key, g => g.Where(c => c.IsSender).ToList());
        var drainUntil = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        long missing;
        do
        {
            missing = all.Sum(c => c.Expected(byRoom[c.Room]) - (c.Received - c.Duplicates));
            if (missing <= 0)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (Stopwatch.GetTimestamp() < drainUntil);

        stopReceiving.Cancel();
        await Task.WhenAll(receiving);
        await Task.WhenAll(all.Select(c => c.CloseAsync()));

        var latency = new LatencyHistogram();
        foreach (var c in all)
        {
            latency.Add(c.Latency);
        }

        stalls?.Print(Console.Error, generatorPause);
        var measured = all.Sum(c => c.Measured);
        return new LoadResult(o.Scenario, clients.Count, failed, senders.Sum(s => s.Sent), measured, measured / o.Duration,
            Math.Max(0, missing), all.Sum(c => c.Duplicates),
            latency.Percentile(50), latency.Percentile(99), latency.Percentile(99.9), latency.Max, 0, connectSeconds);
    }
}

/// <summary>idle: hold connections in rooms and report the server's memory per connection.</summary>
internal static class IdleLoad
{
    public static async Task<LoadResult> RunAsync(LoadOptions o)
    {
        var before = ServerRss(o.ServerPid);
        var clock = new RunClock();
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = Enumerable.Range(0, o.Connections)
            .Select(i => (Name: $"idle-{run}-{i / o.RoomSize}", Index: i))
            .Select(c => (new ChatClient(c.Index / o.RoomSize, c.Name, o.WireFor(c.Name), -1, 1, clock), Connector.RoomUri(o, c.Name, c.Index)))
            .ToList();
        var connecting = Stopwatch.StartNew();
        var failed = await Connector.ConnectAllAsync(clients, o);
        var connectSeconds = connecting.Elapsed.TotalSeconds; // a chat client is answered 101 only once it joined its room
        using var stop = new CancellationTokenSource();
        var receiving = clients.Select(c => Task.Run(() => c.Item1.ReceiveLoopAsync(stop.Token))).ToList();
        for (var s = 0; s < Math.Max(1, o.Duration); s++)
        {
            await Task.Delay(1000);
            Console.Error.WriteLine($"idle t={s + 1}s open={o.Connections - failed} server RSS={ServerRss(o.ServerPid) / 1048576.0:F1} MiB");
        }

        var after = ServerRss(o.ServerPid);
        stop.Cancel();
        await Task.WhenAll(receiving);
        await Task.WhenAll(clients.Select(c => c.Item1.CloseAsync()));
        var open = Math.Max(1, o.Connections - failed);
        return new LoadResult("idle", o.Connections, failed, 0, 0, 0, 0, 0, 0, 0, 0, 0, o.ServerPid > 0 ? (after - before) / open : 0, connectSeconds);
    }

    /// <summary>The resident set size of a process in bytes, from /proc; 0 when no pid is given.</summary>
    internal static long ServerRss(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
