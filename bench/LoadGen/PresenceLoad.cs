using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace ActorChat.LoadGen;

/// <summary>
/// presence: <c>--connections</c> clients join one chat room, spread over the <c>--url</c> nodes, each with a nickname
/// (<c>?nick=</c>, so the node tracks its presence) or, with <c>--presence off</c>, as plain members. Measures the time
/// to join them all, the time from the last join until every node's <c>GET /api/rooms/{room}/presence</c> lists them all,
/// the presence.diff frames and metas delivered per second, and the server's RSS per connection (<c>--server-pid</c>).
/// </summary>
internal static class PresenceLoad
{
    public static async Task<PresenceResult> RunAsync(LoadOptions o)
    {
        var room = "presence-" + Guid.NewGuid().ToString("N")[..6];
        var rssBefore = IdleLoad.ServerRss(o.ServerPid);
        var clients = Enumerable.Range(0, o.Connections).Select(i => new PresenceClient()).ToList();
        var counters = new DiffCounters();
        var closed = 0; // sockets the server closed during the run (a client too slow to read is closed with 1013)
        using var stop = new CancellationTokenSource();
        var receiving = new List<Task>();
        var joining = Stopwatch.StartNew();
        var failed = await Connector.ForEachAsync(o.Connections, "join", async (i, cancellationToken) =>
        {
            var uri = Connector.RoomUri(o, room, i);
            var client = clients[i];
            client.Socket = await RawWebSocket.ConnectAsync(new Uri(uri + (o.Presence ? $"?nick=u{i}" : "")), null, cancellationToken);
            lock (receiving)
            {
                receiving.Add(Task.Run(async () =>
                {
                    try
                    {
                        await client.Socket.ReceiveAsync(frame => counters.Count(frame, joining), stop.Token);
                    }
                    catch (Exception) when (!stop.IsCancellationRequested)
                    {
                        // a reset: the socket is gone all the same
                    }

                    if (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref closed);
                    }
                }));
            }
        });

        var joinSeconds = joining.Elapsed.TotalSeconds;
        var converged = Stopwatch.StartNew();
        // Every node must list exactly the sockets still open: a socket the server closed takes its presence with it.
        var convergeSeconds = o.Presence ? await ConvergeAsync(o, room, () => o.Connections - failed - Volatile.Read(ref closed)) : 0;
        var convergedAt = converged.Elapsed.TotalSeconds;

        // Diffs keep arriving after the last join (members read the later joins); wait until they have been quiet for 1 s.
        var last = -1L;
        while (counters.Frames != last)
        {
            last = counters.Frames;
            await Task.Delay(1000);
        }

        var rssAfter = IdleLoad.ServerRss(o.ServerPid);
        stop.Cancel();
        await Task.WhenAll(receiving.Select(t => t.ContinueWith(_ => { })));
        foreach (var client in clients)
        {
            client.Socket?.Dispose();
        }

        var diffSeconds = Math.Max(counters.LastFrameSeconds, 1e-3);
        return new PresenceResult("presence", o.Connections, failed, o.Urls.Length, o.Presence, joinSeconds, convergeSeconds, convergedAt,
            Volatile.Read(ref closed), counters.Frames, counters.Metas, counters.Frames / diffSeconds, counters.Metas / diffSeconds, counters.Bytes,
            o.ServerPid > 0 ? (rssAfter - rssBefore) / Math.Max(1, o.Connections - failed) : 0);
    }

    /// <summary>Seconds from now until every node lists as many metas in the room as <paramref name="open"/> says sockets are open.</summary>
    private static async Task<double> ConvergeAsync(LoadOptions o, string room, Func<int> open)
    {
        var expected = open();
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var pending = o.Urls.ToList();
        var lastProgress = TimeSpan.Zero;
        while (pending.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            expected = open();
            var counts = await Task.WhenAll(pending.Select(async url =>
            {
                try
                {
                    var body = await http.GetFromJsonAsync<JsonElement>(new Uri(url, $"/api/rooms/{room}/presence"));
                    return (url, metas: body.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("metas").GetArrayLength()));
                }
                catch (HttpRequestException ex)
                {
                    Console.Error.WriteLine($"presence: {url} did not list ({ex.Message})"); // busy (503) or gone: not there yet
                    return (url, metas: -1);
                }
            }));
            if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1) || counts.All(c => c.metas == expected))
            {
                lastProgress = clock.Elapsed; // a progress line: how many each node lists (-1: it did not answer)
                Console.Error.WriteLine($"presence: {clock.Elapsed.TotalSeconds:F1} s after the last join, listed {string.Join(" / ", counts.Select(c => c.metas))} of {expected} open");
            }

            pending = [.. counts.Where(c => c.metas != expected).Select(c => c.url)];
            if (pending.Count > 0)
            {
                await Task.Delay(50);
            }
        }

        if (pending.Count > 0)
        {
            Console.Error.WriteLine($"presence: {pending.Count} node(s) never listed exactly the {expected} open");
            return -1; // never: JSON has no NaN
        }

        return clock.Elapsed.TotalSeconds;
    }

    private sealed class PresenceClient
    {
        public RawWebSocket? Socket { get; set; }
    }

    /// <summary>presence.diff frames, the metas in them and their bytes, over every client; and when the last came.</summary>
    private sealed class DiffCounters
    {
        private long _frames;
        private long _metas;
        private long _bytes;
        private long _lastTicks;

        public long Frames => Interlocked.Read(ref _frames);

        public long Metas => Interlocked.Read(ref _metas);

        public long Bytes => Interlocked.Read(ref _bytes);

        public double LastFrameSeconds => TimeSpan.FromTicks(Interlocked.Read(ref _lastTicks)).TotalSeconds;

        public void Count(ReadOnlySpan<byte> frame, Stopwatch since)
        {
            if (!frame.EndsWith("\"event\":\"presence_diff\"}"u8))
            {
                return;
            }

            Interlocked.Increment(ref _frames);
            Interlocked.Add(ref _bytes, frame.Length);
            Interlocked.Add(ref _metas, CountOf(frame, "\"channel\":"u8));
            Interlocked.Exchange(ref _lastTicks, since.Elapsed.Ticks);
        }

        private static int CountOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
        {
            var count = 0;
            int at;
            while ((at = haystack.IndexOf(needle)) >= 0)
            {
                count++;
                haystack = haystack[(at + needle.Length)..];
            }

            return count;
        }
    }
}

/// <summary>The presence scenario's result line.</summary>
internal sealed record PresenceResult(
    string Scenario, int Connections, int Failed, int Nodes, bool Presence, double JoinSeconds, double ConvergeSeconds,
    double ConvergedAtSeconds, int Closed, long DiffFrames, long DiffMetas, double DiffFramesPerSecond, double DiffMetasPerSecond,
    long DiffBytes, long ServerBytesPerConnection);
