// Kernel micro-benchmarks. Run: dotnet run -c Release --project bench/ActorBench [-- scenario...]
// Scenarios: pingpong, channels, fanout, spawn, memory (default: all). Each prints one line and a JSON line.
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using ActorChat.Actors;

var all = new[] { "channels", "pingpong", "fanout", "spawn", "memory" };
var chosen = args.Length > 0 ? args : all;
Console.WriteLine($"# ActorBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC server={System.Runtime.GCSettings.IsServerGC}");
foreach (var name in chosen)
{
    var result = name switch
    {
        "channels" => Bench.ChannelsPingPong(2_000_000),
        "pingpong" => await Bench.ActorPingPong(pairs: 64, inFlight: 64, messagesPerPair: 400_000),
        "pingpong1" => await Bench.ActorPingPong(pairs: 1, inFlight: 1, messagesPerPair: 4_000_000),
        "fanout" => await Bench.FanOut(actors: 10_000, rounds: 1_000),
        "spawn" => await Bench.Spawn(1_000_000),
        "memory" => await Bench.MemoryPerActor(1_000_000),
        _ => throw new ArgumentException($"unknown scenario '{name}'; use one of {string.Join(", ", all)}, pingpong1"),
    };
    Console.WriteLine($"{result.Name,-10} {result.Value,15:N0} {result.Unit}   ({result.Detail})");
    Console.WriteLine(JsonSerializer.Serialize(result));
}

internal sealed record Result(string Name, double Value, string Unit, string Detail);

internal static class Bench
{
    /// <summary>The reference: two tasks bouncing one message over two bounded channels.</summary>
    public static Result ChannelsPingPong(int roundTrips)
    {
        var ping = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pong = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var ponger = Task.Run(async () =>
        {
            for (var i = 0; i < roundTrips; i++)
            {
                pong.Writer.TryWrite(await ping.Reader.ReadAsync());
            }
        });
        var sw = Stopwatch.StartNew();
        var pinger = Task.Run(async () =>
        {
            for (var i = 0; i < roundTrips; i++)
            {
                ping.Writer.TryWrite(i);
                await pong.Reader.ReadAsync();
            }
        });
        Task.WaitAll(ponger, pinger);
        var messages = roundTrips * 2.0;
        return new Result("channels", messages / sw.Elapsed.TotalSeconds, "msg/s", $"2 tasks, {messages:N0} messages, {sw.Elapsed.TotalSeconds:F2} s");
    }

    public static async Task<Result> ActorPingPong(int pairs, int inFlight, int messagesPerPair)
    {
        await using var system = ActorSystem.Create("pingpong");
        var done = new CountdownEvent(pairs);
        var refs = new List<(IActorRef A, IActorRef B)>();
        for (var p = 0; p < pairs; p++)
        {
            var a = system.ActorOf(Props.FromFactory(() => new PingPong(messagesPerPair / 2, done)));
            var b = system.ActorOf(Props.FromFactory(() => new PingPong(messagesPerPair / 2, done: null)));
            refs.Add((a, b));
        }

        var sw = Stopwatch.StartNew();
        foreach (var (a, b) in refs)
        {
            for (var i = 0; i < inFlight; i++)
            {
                a.Tell(Ball.Instance, b);
            }
        }

        done.Wait();
        var total = (double)pairs * messagesPerPair;
        return new Result(pairs == 1 ? "pingpong1" : "pingpong", total / sw.Elapsed.TotalSeconds, "msg/s",
            $"{pairs} pairs, {inFlight} in flight per pair, {total:N0} messages, {sw.Elapsed.TotalSeconds:F2} s");
    }

    public static async Task<Result> FanOut(int actors, int rounds)
    {
        await using var system = ActorSystem.Create("fanout");
        var remaining = (long)actors * rounds;
        var done = new TaskCompletionSource();
        var counter = new Counter(() => { if (Interlocked.Decrement(ref remaining) == 0) { done.SetResult(); } });
        var members = Enumerable.Range(0, actors).Select(_ => system.ActorOf(Props.FromFactory(() => new Sink(counter)))).ToArray();
        var message = new object();
        var sw = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var member in members)
            {
                member.Tell(message);
            }
        }

        await done.Task;
        var total = (double)actors * rounds;
        return new Result("fanout", total / sw.Elapsed.TotalSeconds, "deliveries/s", $"{actors:N0} actors x {rounds} messages, {sw.Elapsed.TotalSeconds:F2} s");
    }

    public static async Task<Result> Spawn(int count)
    {
        await using var system = ActorSystem.Create("spawn");
        var started = new CountdownEvent(count);
        var props = Props.FromFactory(() => new Starter(started));
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            system.ActorOf(props);
        }

        started.Wait();
        return new Result("spawn", count / sw.Elapsed.TotalSeconds, "actors/s", $"{count:N0} actors started (PreStart ran), {sw.Elapsed.TotalSeconds:F2} s");
    }

    public static async Task<Result> MemoryPerActor(int count)
    {
        await using var system = ActorSystem.Create("memory");
        var started = new CountdownEvent(count);
        var props = Props.FromFactory(() => new Starter(started));
        system.ActorOf(props); // warm the types up before the baseline
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var refs = new IActorRef[count];
        for (var i = 0; i < count; i++)
        {
            refs[i] = system.ActorOf(props);
        }

        started.Wait();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var refArray = (long)count * IntPtr.Size; // the benchmark's own array of refs is not the kernel's cost
        var perActor = (after - before - refArray) / (double)count;
        GC.KeepAlive(refs);
        return new Result("memory", perActor, "bytes/actor", $"GC heap delta over {count:N0} idle actors, {(after - before) / 1048576.0:F0} MiB");
    }

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class PingPong(int toSend, CountdownEvent? done) : ActorBase
    {
        private int _left = toSend;

        protected override bool Receive(object message)
        {
            if (--_left >= 0)
            {
                Sender.Tell(message, Self);
            }

            if (_left == 0)
            {
                done?.Signal();
            }

            return true;
        }
    }

    private sealed class Counter(Action onDelivery)
    {
        public void Hit() => onDelivery();
    }

    private sealed class Sink(Counter counter) : ActorBase
    {
        protected override bool Receive(object message)
        {
            counter.Hit();
            return true;
        }
    }

    private sealed class Starter(CountdownEvent started) : ActorBase
    {
        protected override void PreStart() => started.Signal();

        protected override bool Receive(object message) => true;
    }
}
