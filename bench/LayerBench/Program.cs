// Channel layer benchmarks. Run: dotnet run -c Release --project bench/LayerBench [-- bigroom|smallrooms]
// Prints one line per scenario and a JSON line, with deliveries/s, bytes allocated per delivery,
// and JSON encodings per group message (the layer promises 1 per node).
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
        _ => throw new ArgumentException($"unknown scenario '{name}'; use bigroom or smallrooms"),
    };
    Console.WriteLine($"{result.Name,-11} {result.DeliveriesPerSecond,14:N0} deliveries/s  {result.BytesPerDelivery,6:F1} B/delivery  {result.EncodingsPerGroupSend:F2} encodings/group send  drops={result.Drops}  ({result.Detail})");
    Console.WriteLine(JsonSerializer.Serialize(result));
}

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

    private sealed record Payload(int Sender, int Seq);

    private sealed class Sink(long expected, CountdownEvent done) : UntypedActor
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
