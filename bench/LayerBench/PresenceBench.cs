using System.Diagnostics;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using Akka.Actor;

/// <summary>
/// What joining with presence costs on one node, at the layer: members are actors that drop what they get, so the
/// figure is the join (and the diffs' fan-out into mailboxes), not a socket's.
/// </summary>
internal static class PresenceBench
{
    /// <param name="members">How many actors join, 64 at a time.</param>
    /// <param name="rounds">Rounds of each kind of join, alternating, after a pair not counted.</param>
    /// <param name="diffInterval">The layer's <see cref="ChannelLayerOptions.PresenceDiffInterval"/> (the node's default, 100 ms, unless given).</param>
    public static async Task<Result> Run(int members, int rounds, TimeSpan? diffInterval = null)
    {
        var options = () => new ChannelLayerOptions
        {
            Capacity = 1_000_000,
            ConsumerCapacity = 1_000_000,
            PresenceDiffInterval = diffInterval ?? new ChannelLayerOptions().PresenceDiffInterval,
        };
        var plain = new List<double>();
        var tracked = new List<double>();
        long plainBytes = 0, trackedBytes = 0, plainAllocated = 0, trackedAllocated = 0;
        await JoinAll(members, withPresence: false, options()); // a pair not counted: the first JITs the join and the tracking
        await JoinAll(members, withPresence: true, options());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var withPresence in new[] { false, true }) // alternating, so drift moves both alike
            {
                var (seconds, bytes, allocated) = await JoinAll(members, withPresence, options());
                (withPresence ? tracked : plain).Add(seconds);
                if (withPresence)
                {
                    (trackedBytes, trackedAllocated) = (bytes, allocated);
                }
                else
                {
                    (plainBytes, plainAllocated) = (bytes, allocated);
                }

                Console.Error.WriteLine($"presence round {round + 1}: {(withPresence ? "with presence" : "plain")} {members} joins in {seconds * 1e3:F1} ms, " +
                    $"{bytes / members:N0} B/member on the heap, {allocated / members:N0} B allocated per join");
            }
        }

        var plainMedian = plain.Order().ElementAt(rounds / 2);
        var trackedMedian = tracked.Order().ElementAt(rounds / 2);
        return new Result("presence", members / trackedMedian, (trackedBytes - plainBytes) / (double)members, 0, 0,
            $"{members} joins: plain {plainMedian * 1e6 / members:F1} µs, with presence {trackedMedian * 1e6 / members:F1} µs per join, ratio {trackedMedian / plainMedian:F2}x (median of {rounds}); " +
            $"extra heap {(trackedBytes - plainBytes) / (double)members:N0} B/member; allocated per join {plainAllocated / members:N0} B plain, " +
            $"{trackedAllocated / members:N0} B with presence (last round); DeliveriesPerSecond here is joins/s with presence");
    }

    private static async Task<(double Seconds, long HeapBytes, long AllocatedBytes)> JoinAll(int members, bool withPresence, ChannelLayerOptions options)
    {
        using var system = ActorSystem.Create("presencebench", "akka { loglevel = WARNING, log-dead-letters-during-shutdown = off }");
        await using var layer = new InMemoryChannelLayer(system, options);
        var channels = new List<string>();
        for (var i = 0; i < members; i++)
        {
            var channel = await layer.NewChannelAsync();
            layer.Bind(channel, system.ActorOf(Props.Create<Dropper>()));
            channels.Add(channel);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var meta = JsonDocument.Parse("""{"device":"laptop"}""").RootElement;
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(channels.Select(async (channel, i) =>
        {
            await gate.WaitAsync();
            try
            {
                if (withPresence)
                {
                    await layer.GroupAddAsync("room", channel, new PresenceInfo("user" + i, meta)); // as a consumer joins with presence
                }
                else
                {
                    await layer.GroupAddAsync("room", channel);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore; // every thread's, the diffs' fan-out included
        var listed = (await layer.PresenceAsync("room")).Count;
        if (withPresence && listed != members)
        {
            throw new InvalidOperationException($"presence lists {listed} of {members}");
        }

        return (seconds, GC.GetTotalMemory(forceFullCollection: true) - before, allocated);
    }

    /// <summary>A member that drops what it receives.</summary>
    internal sealed class Dropper : ReceiveActor
    {
        public Dropper() => ReceiveAny(_ => { });
    }
}
