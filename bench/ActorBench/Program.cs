// Akka.NET micro-benchmarks for the idioms ActorChat uses. Run: dotnet run -c Release --project bench/ActorBench [-- scenario...]
// Scenarios: channels, pingpong, pingpong1, fanout, spawn, spawn-expression, spawn-args, spawn-factory, spawn-supervisor,
// spawn-parents, memory (default: all). Each prints one line and a JSON line. "spawn" is the old kernel's benchmark as it
// was (1,000,000 actors, one shared Props, under /user); the other spawn scenarios start 100,000 actors with Props of their
// own, as connections do: ten times the 10,000 clients that reconnect after a node restarts.
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using ActorChat.ChannelLayer;
using Akka.Actor;
using Akka.Configuration;

var all = new[] { "channels", "pingpong", "pingpong1", "fanout", "spawn", "spawn-expression", "spawn-args", "spawn-factory", "spawn-supervisor", "spawn-parents", "memory" };
var chosen = args.Length > 0 ? args : all;
Console.WriteLine($"# ActorBench on Akka.NET {typeof(ActorSystem).Assembly.GetName().Version}: {Environment.ProcessorCount} cores, .NET {Environment.Version}, GC server={System.Runtime.GCSettings.IsServerGC}");
foreach (var name in chosen)
{
    var result = name switch
    {
        "channels" => Bench.ChannelsPingPong(2_000_000),
        "pingpong" => await Bench.ActorPingPong(pairs: 64, inFlight: 64, messagesPerPair: 400_000),
        "pingpong1" => await Bench.ActorPingPong(pairs: 1, inFlight: 1, messagesPerPair: 4_000_000),
        "fanout" => await Bench.FanOut(actors: 10_000, rounds: 1_000),
        "spawn" => await Bench.SpawnShared(1_000_000),
        "spawn-expression" => await Bench.Spawn(name, SpawnCount, (latch, i) => Props.Create(() => new Bench.Starter(latch, i)), parents: 0),
        "spawn-args" => await Bench.Spawn(name, SpawnCount, (latch, i) => Props.Create<Bench.Starter>(latch, i), parents: 0),
        "spawn-factory" => await Bench.Spawn(name, SpawnCount, (latch, i) => ActorFactory.Props(() => new Bench.Starter(latch, i)), parents: 0),
        "spawn-supervisor" => await Bench.Spawn(name, SpawnCount, (latch, i) => ActorFactory.Props(() => new Bench.Starter(latch, i)), parents: 1),
        "spawn-parents" => await Bench.Spawn(name, SpawnCount, (latch, i) => ActorFactory.Props(() => new Bench.Starter(latch, i)), parents: 16),
        "memory" => await Bench.MemoryPerActor(SpawnCount),
        _ => throw new ArgumentException($"unknown scenario '{name}'; use one of {string.Join(", ", all)}"),
    };
    Console.WriteLine($"{result.Name,-16} {result.Value,15:N0} {result.Unit}   ({result.Detail})");
    Console.WriteLine(JsonSerializer.Serialize(result));
}

internal sealed record Result(string Name, double Value, string Unit, string Detail);

internal static partial class Program
{
    public const int SpawnCount = 100_000;
}

internal static class Bench
{
    // Akka's defaults, but no dead-letter logging while the system stops, so the benchmark prints only its results.
    private static readonly Config Quiet = ConfigurationFactory.ParseString("akka.log-dead-letters-during-shutdown = off\nakka.stdout-loglevel = WARNING\nakka.loglevel = WARNING");

    /// <summary>The reference: two tasks bouncing one message over two channels.</summary>
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
        using var system = ActorSystem.Create("pingpong", Quiet);
        var done = new CountdownEvent(pairs);
        var refs = new List<(IActorRef A, IActorRef B)>();
        for (var p = 0; p < pairs; p++)
        {
            var a = system.ActorOf(ActorFactory.Props(() => new PingPong(messagesPerPair / 2, done)));
            var b = system.ActorOf(ActorFactory.Props(() => new PingPong(messagesPerPair / 2, done: null)));
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
        var elapsed = sw.Elapsed;
        await system.Terminate();
        var total = (double)pairs * messagesPerPair;
        return new Result(pairs == 1 ? "pingpong1" : "pingpong", total / elapsed.TotalSeconds, "msg/s",
            $"{pairs} pairs, {inFlight} in flight per pair, {total:N0} messages, {elapsed.TotalSeconds:F2} s");
    }

    public static async Task<Result> FanOut(int actors, int rounds)
    {
        using var system = ActorSystem.Create("fanout", Quiet);
        var remaining = (long)actors * rounds;
        var done = new TaskCompletionSource();
        var counter = new Counter(() => { if (Interlocked.Decrement(ref remaining) == 0) { done.SetResult(); } });
        var members = Enumerable.Range(0, actors).Select(_ => system.ActorOf(ActorFactory.Props(() => new Sink(counter)))).ToArray();
        var message = new object();
        var sw = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var member in members)
            {
                member.Tell(message, ActorRefs.NoSender);
            }
        }

        await done.Task;
        var elapsed = sw.Elapsed;
        await system.Terminate();
        var total = (double)actors * rounds;
        return new Result("fanout", total / elapsed.TotalSeconds, "deliveries/s", $"{actors:N0} actors x {rounds} messages, {elapsed.TotalSeconds:F2} s");
    }

    /// <summary>
    /// Starts <paramref name="count"/> actors, each with its own arguments as a consumer has, until every PreStart ran: under
    /// <c>/user</c> when <paramref name="parents"/> is 0, else spread over that many parents (as the consumer supervisor does).
    /// </summary>
    public static async Task<Result> Spawn(string name, int count, Func<CountdownEvent, int, Props> props, int parents)
    {
        using var system = ActorSystem.Create("spawn", Quiet);
        var started = new CountdownEvent(count);
        var spawners = Enumerable.Range(0, parents).Select(p => system.ActorOf(Props.Create<Spawner>(), "parent-" + p)).ToArray();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (parents == 0)
            {
                system.ActorOf(props(started, i));
            }
            else
            {
                spawners[i % parents].Tell(props(started, i), ActorRefs.NoSender);
            }
        }

        started.Wait();
        var elapsed = sw.Elapsed;
        await system.Terminate();
        var where = parents switch { 0 => "under /user", 1 => "under one parent", _ => $"over {parents} parents" };
        return new Result(name, count / elapsed.TotalSeconds, "actors/s", $"{count:N0} actors started {where} (PreStart ran), {elapsed.TotalSeconds:F2} s");
    }

    /// <summary>The old kernel's spawn benchmark, unchanged: one shared factory Props, every actor under <c>/user</c>.</summary>
    public static async Task<Result> SpawnShared(int count)
    {
        using var system = ActorSystem.Create("spawn", Quiet);
        var started = new CountdownEvent(count);
        var props = ActorFactory.Props(() => new Starter(started, 0));
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            system.ActorOf(props);
        }

        started.Wait();
        var elapsed = sw.Elapsed;
        await system.Terminate();
        return new Result("spawn", count / elapsed.TotalSeconds, "actors/s", $"{count:N0} actors started under /user with one shared factory Props (PreStart ran), {elapsed.TotalSeconds:F2} s");
    }

    /// <summary>
    /// The GC heap an idle actor costs: started with one shared factory <see cref="Props"/> (as a consumer endpoint has) and
    /// never messaged. Measured as the slope between two heap readings, after half and after all of the actors, so the
    /// one-off growth of the runtime's and Akka's own structures on the first burst does not count per actor.
    /// </summary>
    public static async Task<Result> MemoryPerActor(int count)
    {
        using var system = ActorSystem.Create("memory", Quiet);
        var started = new CountdownEvent(count + 1);
        var props = ActorFactory.Props(() => new Starter(started, 0));
        system.ActorOf(props); // warm the types up
        var refs = new IActorRef[count];
        var half = count / 2;
        for (var i = 0; i < half; i++)
        {
            refs[i] = system.ActorOf(props);
        }

        SpinWait.SpinUntil(() => started.CurrentCount == count - half);
        var mid = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = half; i < count; i++)
        {
            refs[i] = system.ActorOf(props);
        }

        started.Wait();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(refs);
        await system.Terminate();
        var perActor = (after - mid) / (double)(count - half);
        return new Result("memory", perActor, "bytes/actor", $"GC heap growth from {half:N0} to {count:N0} idle actors under /user with one shared factory Props, {(after - mid) / 1048576.0:F0} MiB");
    }

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class PingPong(int toSend, CountdownEvent? done) : UntypedActor
    {
        private int _left = toSend;

        protected override void OnReceive(object message)
        {
            if (--_left >= 0)
            {
                Sender.Tell(message, Self);
            }

            if (_left == 0)
            {
                done?.Signal();
            }
        }
    }

    private sealed class Counter(Action onDelivery)
    {
        public void Hit() => onDelivery();
    }

    private sealed class Sink(Counter counter) : UntypedActor
    {
        protected override void OnReceive(object message) => counter.Hit();
    }

    /// <summary>A parent that starts a child for each <see cref="Props"/> it is told, as the consumer supervisor does.</summary>
    private sealed class Spawner : UntypedActor
    {
        protected override void OnReceive(object message) => Context.ActorOf((Props)message);
    }

    internal sealed class Starter(CountdownEvent started, int index) : UntypedActor
    {
        public int Index { get; } = index;

        protected override void PreStart() => started.Signal();

        protected override void OnReceive(object message)
        {
        }
    }
}
