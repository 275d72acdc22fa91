using System.Diagnostics;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using ActorChat.Consumers;
using Akka.Actor;

/// <summary>
/// What a joiner's <c>presence_state</c> costs the node in a big room: the list from the layer, then the frame encoded
/// as the chat consumer encodes it (with a JSON consumer's options). Every joiner of a room gets the whole list, so a
/// 5,000-member room pays this 5,000 times over.
/// </summary>
internal static class PresenceStateBench
{
    /// <param name="members">How many tracked members the room holds.</param>
    /// <param name="states">How many states are listed and encoded per round (after a round not counted).</param>
    /// <param name="rounds">Rounds; the median is reported.</param>
    public static async Task<Result> Run(int members, int states, int rounds)
    {
        using var system = ActorSystem.Create("presencestatebench", "akka { loglevel = WARNING, log-dead-letters-during-shutdown = off }");
        await using var layer = new InMemoryChannelLayer(system, new ChannelLayerOptions { Capacity = 1_000_000, ConsumerCapacity = 1_000_000 });
        var meta = JsonDocument.Parse("""{"device":"laptop"}""").RootElement;
        for (var i = 0; i < members; i++)
        {
            var channel = await layer.NewChannelAsync();
            layer.Bind(channel, system.ActorOf(Props.Create<PresenceBench.Dropper>()));
            await layer.GroupAddAsync("room", channel, new PresenceInfo("user" + i, meta));
        }

        var perState = new List<double>();
        var bytesPerState = 0.0;
        var frameBytes = 0;
        for (var round = -1; round < rounds; round++)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < states; i++)
            {
                var entries = await layer.PresenceAsync("room");
                frameBytes = JsonSerializer.SerializeToUtf8Bytes(
                    new { @event = "presence_state", presences = entries.ToDictionary(e => e.Key, e => new PresenceMetas(e.Metas)) },
                    StateOptions.Json).Length;
            }

            if (round >= 0) // the first round JITs and fills what is cached
            {
                perState.Add(clock.Elapsed.TotalSeconds / states);
                bytesPerState = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)states;
                Console.Error.WriteLine($"presencestate round {round + 1}: {perState[^1] * 1e6:F0} µs per state, {bytesPerState:N0} B allocated per state");
            }
        }

        var median = perState.Order().ElementAt(rounds / 2);
        return new Result("presencestate", 1 / median, bytesPerState, 0, 0,
            $"{members} tracked members: {median * 1e6:F0} µs per presence_state listed and encoded (median of {rounds} rounds of {states}), " +
            $"{bytesPerState:N0} B allocated per state, a {frameBytes:N0}-byte frame; DeliveriesPerSecond here is states/s");
    }

    /// <summary>Reaches the JSON options every JSON consumer encodes with, the chat's among them.</summary>
    private abstract class StateOptions : JsonWebSocketConsumer
    {
        public static JsonSerializerOptions Json => JsonOptions;
    }
}
