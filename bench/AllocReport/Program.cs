// Reads an EventPipe trace written with the runtime's GC events at verbose level (bench/profile writes one) and prints
// where the process allocated: the runtime samples an allocation about every 100 KB (GCAllocationTick) and names its
// type and stack, so the sums below are estimates whose error shrinks with the trace's length.
//   dotnet bench/AllocReport/bin/Release/net10.0/ActorChat.AllocReport.dll /tmp/profile-echo-actorchat.nettrace [--per N]
// --per N divides every figure by N (say the round trips the load generator counted), giving bytes per unit.
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: ActorChat.AllocReport TRACE.nettrace [--per N] [--top N]");
    return 2;
}

var per = Option("--per", 1.0);
var top = (int)Option("--top", 25);
var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var bySite = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var bytes = tick.AllocationAmount64;
    total += bytes;
    Add(byType, tick.TypeName ?? "?", bytes);
    Add(bySite, Site(data.CallStack()), bytes);
}

Console.WriteLine($"sampled allocation: {total:N0} B in all{(per != 1.0 ? $", {total / per:N0} B per unit (/ {per:N0})" : "")}");
Print("by type", byType);
Print("by allocating method (the first frame outside the BCL's and the runtime's, and the frames above it)", bySite);
return 0;

double Option(string name, double fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

void Add(Dictionary<string, long> sums, string key, long bytes) => sums[key] = sums.GetValueOrDefault(key) + bytes;

void Print(string title, Dictionary<string, long> sums)
{
    Console.WriteLine($"--- {title}");
    foreach (var (key, bytes) in sums.OrderByDescending(kv => kv.Value).Take(top))
    {
        Console.WriteLine($"{bytes / per,12:N1} {100.0 * bytes / total,5:N1}%  {key}");
    }
}

// The allocating frame a reader can act on: the innermost frame of application code (ActorChat, Akka, ASP.NET Core,
// StackExchange.Redis), with the BCL frames under it, so "List.Grow under RoomMembership.Add" reads as one site.
static string Site(TraceCallStack? stack)
{
    var frames = new List<string>();
    for (var frame = stack; frame is not null && frames.Count < 12; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name))
        {
            continue;
        }

        frames.Add(name);
        if (!name.StartsWith("System.", StringComparison.Ordinal) && !name.StartsWith("Microsoft.Win32", StringComparison.Ordinal))
        {
            break;
        }
    }

    return frames.Count == 0 ? "?" : string.Join(" < ", frames.Select(Short));
}

static string Short(string method)
{
    var paren = method.IndexOf('(');
    return paren > 0 ? method[..paren] : method;
}
