// Channel layer benchmarks. Run: dotnet run -c Release --project bench/LayerBench [-- bigroom|smallrooms|redis|presence|presencestate|leaves]
// presence: 5,000 actor members join one in-memory group, 64 joins at a time, plain (GroupAddAsync) and with presence
// (GroupAddAsync with a PresenceInfo, as a consumer joins), alternating, 25 rounds each after a pair not counted; prints
// the time per join (median), their ratio, and the heap bytes per member. PRESENCE_DIFF_INTERVAL_MS sets the layer's
// PresenceDiffInterval (100 ms by default), to see what batching diffs longer saves.
// presencestate: a one-node room of 5,000 tracked members; lists it and encodes the chat's presence_state frame 200 times
// a round, 9 rounds after one not counted; prints µs and bytes allocated per state (each joiner of a room gets one).
// leaves: 5,000 members of one group leave it, by GroupDiscardAsync (64 at a time) and by their actors all stopping;
// prints µs per member until the room is gone (median of 5 rounds after one not counted).
// Prints one line per scenario and a JSON line, with deliveries/s, bytes allocated per delivery,
// and JSON encodings per group message (the layer promises 1 per node).
// redis: two Redis layers in this process (one sends, one has the members) on a redis-server from the PATH, started on
// a free port; its bytes are per group send, both nodes together (the sender's publish, the receiver's read and fan-out).
using System.Diagnostics;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using Akka.Actor;

var chosen = args.Length > 0 ? args : ["bigroom", "smallrooms"];
Console.WriteLine($"# LayerBench: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
foreach (var name in chosen)
{
    var result = name switch
    {
        "bigroom" => await LayerBench.Run("bigroom", groups: 1, membersPerGroup: 10_000, senders: 1, messagesPerSender: 300),
        "smallrooms" => await LayerBench.Run("smallrooms", groups: 1_000, membersPerGroup: 10, senders: 2, messagesPerSender: 100_000),
        "redis" => await RedisBench.Run(groups: 100, membersPerGroup: 10, groupSends: 100_000),
        "presence" => await PresenceBench.Run(members: 5_000, rounds: 25, DiffIntervalFromEnvironment()),
        "presencestate" => await PresenceStateBench.Run(members: 5_000, states: 200, rounds: 9),
        "leaves" => await LeaveBench.Run(members: 5_000, rounds: 5),
        _ => throw new ArgumentException($"unknown scenario '{name}'; use bigroom, smallrooms, redis, presence, presencestate or leaves"),
    };
    Console.WriteLine($"{result.Name,-11} {result.DeliveriesPerSecond,14:N0} deliveries/s  {result.BytesPerDelivery,6:F1} B/delivery  {result.EncodingsPerGroupSend:F2} encodings/group send  drops={result.Drops}  ({result.Detail})");
    Console.WriteLine(JsonSerializer.Serialize(result));
}

static TimeSpan? DiffIntervalFromEnvironment() =>
    int.TryParse(Environment.GetEnvironmentVariable("PRESENCE_DIFF_INTERVAL_MS"), out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

internal sealed record Result(string Name, double DeliveriesPerSecond, double BytesPerDelivery, double EncodingsPerGroupSend, long Drops, string Detail);

internal static class LayerBench
{
    public static async Task<Result> Run(string name, int groups, int membersPerGroup, int senders, int messagesPerSender)
    {
        using var system = ActorSystem.Create("layerbench");
        await using var layer = new InMemoryChannelLayer(system, new ChannelLayerOptions { Capacity = 1_000_000 });
        var groupSends = (long)senders * messagesPerSender;
        var expectedPerMember = groupSends / groups; // senders spread their messages round-robin over the groups
        var members = groups * membersPerGroup;
        var done = new CountdownEvent(members);
        for (var g = 0; g < groups; g++)
        {
            for (var m = 0; m < membersPerGroup; m++)
            {
                var sink = system.ActorOf(Props.Create<Sink>(expectedPerMember, done));
                var channel = await layer.NewChannelAsync();
                layer.Bind(channel, sink);
                await layer.GroupAddAsync("g" + g, channel);
            }
        }

        var groupNames = Enumerable.Range(0, groups).Select(g => "g" + g).ToArray();
        var messages = Enumerable.Range(0, senders).Select(s => ChannelMessage.Create("bench.message", new { sender = s, text = "0123456789012345678901234567890123456789" })).ToArray();
        // Twice, so what the setup allocated is in the oldest generation, whatever collections the setup itself set off:
        // the window then pays for its own garbage only.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var encodingsBefore = ChannelMessage.EncodeCount;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < messagesPerSender; i++)
            {
                // A new message per send, as a real sender makes; its one encoding is part of the cost.
                var message = ChannelMessage.Create("bench.message", new Payload(s, i));
                await layer.GroupSendAsync(groupNames[i % groups], message);
            }
        })).ToArray();
        await Task.WhenAll(sending);
        done.Wait();
        sw.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var encodings = ChannelMessage.EncodeCount - encodingsBefore;
        var deliveries = groupSends * membersPerGroup;
        var perMessage = ChannelMessage.Create("bench.message", new Payload(0, 0));
        perMessage.EnsureEncoded();
        await system.Terminate();
        return new Result(name, deliveries / sw.Elapsed.TotalSeconds, allocated / (double)deliveries, encodings / (double)groupSends,
            layer.Stats.DropsFull + layer.Stats.DropsStopped,
            $"{groups:N0} groups x {membersPerGroup:N0} bound actors, {senders} senders, {groupSends:N0} group sends, {deliveries:N0} deliveries in {sw.Elapsed.TotalSeconds:F2} s; " +
            $"bytes include each message's own build and one {perMessage.PayloadJson.Length}-byte encoding, {allocated / (double)groupSends:F0} B per group send");
    }

    internal sealed record Payload(int Sender, int Seq);

    internal sealed class Sink(long expected, CountdownEvent done) : UntypedActor
    {
        private long _received;

        protected override void OnReceive(object message)
        {
            if (++_received == expected)
            {
                done.Signal();
            }
        }
    }
}

internal static class RedisBench
{
    public static async Task<Result> Run(int groups, int membersPerGroup, int groupSends)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no") { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server)");
        try
        {
            using var senderSystem = ActorSystem.Create("sender");
            using var receiverSystem = ActorSystem.Create("receiver");
            var options = new ChannelLayerOptions { Capacity = 1_000_000 };
            var endpoint = $"127.0.0.1:{port}";
            await using var sender = await ConnectAsync(senderSystem, options, endpoint, "sender");
            await using var receiver = await ConnectAsync(receiverSystem, options, endpoint, "receiver");
            var done = new CountdownEvent(groups * membersPerGroup);
            var groupNames = Enumerable.Range(0, groups).Select(g => "g" + g).ToArray();
            foreach (var group in groupNames)
            {
                for (var m = 0; m < membersPerGroup; m++)
                {
                    var sink = receiverSystem.ActorOf(Props.Create<LayerBench.Sink>((long)(groupSends / groups), done));
                    var channel = await receiver.NewChannelAsync();
                    receiver.Bind(channel, sink);
                    await receiver.GroupAddAsync(group, channel);
                }
            }

            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < groupSends; i++)
            {
                await sender.GroupSendAsync(groupNames[i % groups], ChannelMessage.Create("bench.message", new LayerBench.Payload(0, i)));
            }

            if (!done.Wait(TimeSpan.FromSeconds(120)))
            {
                throw new TimeoutException($"the members got {groups * membersPerGroup - done.CurrentCount} of {groups * membersPerGroup} full sets in 120 s");
            }

            sw.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var deliveries = (long)groupSends * membersPerGroup;
            return new Result("redis", deliveries / sw.Elapsed.TotalSeconds, allocated / (double)deliveries, 0,
                sender.Stats.CrossNodeFailures + receiver.Stats.DropsFull,
                $"2 nodes on one redis-server, {groups} groups x {membersPerGroup} members on the receiving node, {groupSends:N0} group sends in {sw.Elapsed.TotalSeconds:F2} s, " +
                $"{allocated / (double)groupSends:F0} B per group send (both nodes)");
        }
        finally
        {
            redis.Kill();
        }
    }

    private static async Task<ActorChat.ChannelLayer.Redis.RedisChannelLayer> ConnectAsync(ActorSystem system, ChannelLayerOptions options, string endpoint, string id)
    {
        var layer = new ActorChat.ChannelLayer.Redis.RedisChannelLayer(system, options, new ActorChat.ChannelLayer.Redis.RedisLayerOptions { Endpoints = [endpoint], NodeId = id, KeyPrefix = "bench" });
        for (var attempt = 0; !await layer.WaitConnectedAsync(TimeSpan.FromSeconds(1)); attempt++)
        {
            if (attempt == 10)
            {
                throw new InvalidOperationException($"could not reach redis-server at {endpoint}");
            }
        }

        return layer;
    }
}
