// Reads an EventPipe trace of the runtime's GC, JIT, lock contention and thread pool events (bench/stalls writes one)
// and prints each event that can pause a process's work, one line each with its UTC time, so the lines sort together
// with the load generator's stalls (LoadGen --stalls) and a stall can be matched with what the server was doing.
//   dotnet bench/StallReport/bin/Release/net10.0/ActorChat.StallReport.dll TRACE.nettrace [--since HH:mm:ss.fff] [--until HH:mm:ss.fff] [--min-ms 1]
// --since and --until keep what happened between two UTC times (not start-up, not shut-down); --min-ms is the shortest pause, JIT or wait printed.
// The last lines sum the events between the two: collections and pause per generation, methods compiled per tier.
using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: ActorChat.StallReport TRACE.nettrace [--since HH:mm:ss.fff] [--until HH:mm:ss.fff] [--min-ms 1]");
    return 2;
}

var since = Time("--since") ?? TimeSpan.Zero;
var until = Time("--until") ?? TimeSpan.MaxValue;
var minMs = Option("--min-ms") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : 1.0;
using var source = new EventPipeEventSource(args[0]);
var clr = source.Clr;

var suspendedAt = 0.0;
var gcDepth = -1;
var gcReason = "";
var promoted = 0L;
var pauses = new Dictionary<int, (int Count, double Ms, double Max)>();
clr.GCStart += e => (gcDepth, gcReason) = (e.Depth, e.Reason.ToString());
clr.GCHeapStats += e => promoted = e.TotalPromotedSize0 + e.TotalPromotedSize1; // what the collection copied up
clr.GCSuspendEEStart += e => suspendedAt = e.TimeStampRelativeMSec;
clr.GCRestartEEStop += e =>
{
    if (suspendedAt == 0 || !InWindow(e))
    {
        return;
    }

    var ms = e.TimeStampRelativeMSec - suspendedAt;
    var sum = pauses.GetValueOrDefault(gcDepth);
    pauses[gcDepth] = (sum.Count + 1, sum.Ms + ms, Math.Max(sum.Max, ms));
    if (ms >= minMs)
    {
        Print(e, ms, $"GC gen {gcDepth} ({gcReason}) paused the process {ms:N1} ms, promoted {promoted / 1048576.0:N1} MB");
    }

    suspendedAt = 0;
};

var jitting = new Dictionary<(int Thread, long Method), double>();
var tiers = new Dictionary<string, (int Count, double Ms)>();
clr.MethodJittingStarted += e => jitting[(e.ThreadID, e.MethodID)] = e.TimeStampRelativeMSec;
clr.MethodLoadVerbose += e =>
{
    if (!jitting.Remove((e.ThreadID, e.MethodID), out var started) || !InWindow(e))
    {
        return;
    }

    var ms = e.TimeStampRelativeMSec - started;
    var tier = e.OptimizationTier.ToString();
    var sum = tiers.GetValueOrDefault(tier);
    tiers[tier] = (sum.Count + 1, sum.Ms + ms);
    if (ms >= minMs)
    {
        Print(e, ms, $"JIT {tier} {ms:N1} ms on thread {e.ThreadID}: {e.MethodNamespace}.{e.MethodName}");
    }
};

var contentionAt = new Dictionary<int, double>();
clr.ContentionStart += e => contentionAt[e.ThreadID] = e.TimeStampRelativeMSec;
clr.ContentionStop += e =>
{
    if (contentionAt.Remove(e.ThreadID, out var started) && InWindow(e) && e.TimeStampRelativeMSec - started is var ms && ms >= minMs)
    {
        Print(e, ms, $"lock contention: thread {e.ThreadID} waited {ms:N1} ms");
    }
};

clr.ThreadPoolWorkerThreadAdjustmentAdjustment += e =>
{
    if (InWindow(e))
    {
        Print(e, 0, $"thread pool: {e.NewWorkerThreadCount} worker threads ({e.Reason})");
    }
};

source.Process();
Console.WriteLine($"{"",12} server  GC pauses in the window: "
    + string.Join("; ", pauses.OrderBy(p => p.Key).Select(p => $"gen {p.Key}: {p.Value.Count} ({p.Value.Ms:N1} ms, longest {p.Value.Max:N1})")));
Console.WriteLine($"{"",12} server  methods compiled in the window: "
    + string.Join("; ", tiers.OrderByDescending(t => t.Value.Ms).Select(t => $"{t.Key}: {t.Value.Count} ({t.Value.Ms:N0} ms)")));
return 0;

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

TimeSpan? Time(string name) =>
    Option(name) is { } value ? TimeSpan.ParseExact(value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture) : null;

bool InWindow(TraceEvent e) => e.TimeStamp.ToUniversalTime().TimeOfDay is var at && at >= since && at <= until;

// A line starts at the moment the pause began, so it sorts before the deliveries it delayed.
static void Print(TraceEvent e, double ms, string what) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{e.TimeStamp.ToUniversalTime().AddMilliseconds(-ms):HH:mm:ss.fff} server  {what}"));
