using System.Diagnostics;
using System.Globalization;

namespace ActorChat.LoadGen;

/// <summary>
/// The deliveries of the measured window that took at least a threshold, grouped into stalls: a run of slow deliveries
/// whose send times overlap is one pause somewhere (the server, the network stack, this generator), which is what sets
/// a p99.9 at a low rate. Each stall prints with its UTC start, so it lines up with a server trace (bench/stalls).
/// </summary>
internal sealed class StallLog(double thresholdMs)
{
    private const int MaxKept = 100_000;
    private readonly long _thresholdMicros = (long)(thresholdMs * 1000);
    private readonly List<(long SentAt, long Micros)> _slow = [];

    /// <summary>Keeps a delivery sent at <paramref name="sentAt"/> (Stopwatch ticks) if it took the threshold or more.</summary>
    public void Record(long sentAt, long micros)
    {
        if (micros < _thresholdMicros)
        {
            return;
        }

        lock (_slow)
        {
            if (_slow.Count < MaxKept)
            {
                _slow.Add((sentAt, micros));
            }
        }
    }

    /// <summary>Writes one line per stall, oldest first: UTC start, how many deliveries it delayed, the worst delay.</summary>
    public void Print(TextWriter output, TimeSpan generatorPause)
    {
        var slow = _slow.OrderBy(s => s.SentAt).ToList();
        var nowTicks = Stopwatch.GetTimestamp();
        var nowUtc = DateTime.UtcNow;
        DateTime Utc(long ticks) => nowUtc - Stopwatch.GetElapsedTime(ticks, nowTicks);
        static long Arrived((long SentAt, long Micros) s) => s.SentAt + s.Micros * Stopwatch.Frequency / 1_000_000;

        output.WriteLine($"stalls: {slow.Count:N0} deliveries took {_thresholdMicros / 1000.0:N1} ms or more; "
            + $"this generator's GC paused it {generatorPause.TotalMilliseconds:N1} ms over warm-up and window");
        var i = 0;
        while (i < slow.Count)
        {
            var first = slow[i];
            var end = Arrived(first);
            var worst = first.Micros;
            var count = 0;
            for (; i < slow.Count && slow[i].SentAt <= end; i++)
            {
                end = Math.Max(end, Arrived(slow[i]));
                worst = Math.Max(worst, slow[i].Micros);
                count++;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Utc(first.SentAt):HH:mm:ss.fff} client  stall: {count} deliveries sent from here took {_thresholdMicros / 1000.0:N1}–{worst / 1000.0:N1} ms (until {Utc(end):HH:mm:ss.fff})"));
        }
    }
}
