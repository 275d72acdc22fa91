using System.Diagnostics;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.InMemory;
using Akka.Actor;

/// <summary>
/// A crowd leaving one room: members that discard the group, 64 at a time, and members whose actors all stop at once
/// (a node's clients dropping together). The room handles each leave and each stop in its own turn, so the figure is
/// the room's work per member, which must not grow with the room.
/// </summary>
internal static class LeaveBench
{
    /// <param name="members">How many actors join one group, then leave it.</param>
    /// <param name="rounds">Rounds of both ways of leaving, after one not counted.</param>
    public static async Task<Result> Run(int members, int rounds)
    {
        var discards = new List<double>();
        var stops = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var discard = await LeaveAll(members, stop: false);
            var stop = await LeaveAll(members, stop: true);
            Console.Error.WriteLine($"leaves round {round}: {members} discards in {discard * 1e3:F1} ms, {members} stops emptied the room in {stop * 1e3:F1} ms");
            if (round > 0) // the first JITs the paths
            {
                discards.Add(discard);
                stops.Add(stop);
            }
        }

        var discardMedian = discards.Order().ElementAt(rounds / 2);
        var stopMedian = stops.Order().ElementAt(rounds / 2);
        return new Result("leaves", members / stopMedian, 0, 0, 0,
            $"{members} members: {discardMedian * 1e6 / members:F1} µs per GroupDiscardAsync, {stopMedian * 1e6 / members:F1} µs per stopped member until the room is gone (median of {rounds}); " +
            "DeliveriesPerSecond here is stopped members/s");
    }

    private static async Task<double> LeaveAll(int members, bool stop)
    {
        using var system = ActorSystem.Create("leavebench", "akka { loglevel = WARNING, log-dead-letters = off, log-dead-letters-during-shutdown = off }");
        await using var layer = new InMemoryChannelLayer(system);
        var channels = new List<(string Channel, IActorRef Actor)>();
        for (var i = 0; i < members; i++)
        {
            var channel = await layer.NewChannelAsync();
            var actor = system.ActorOf(Props.Create<PresenceBench.Dropper>());
            layer.Bind(channel, actor);
            await layer.GroupAddAsync("room", channel);
            channels.Add((channel, actor));
        }

        var clock = Stopwatch.StartNew();
        if (stop)
        {
            foreach (var (_, actor) in channels)
            {
                system.Stop(actor);
            }
        }
        else
        {
            using var gate = new SemaphoreSlim(64);
            await Task.WhenAll(channels.Select(async member =>
            {
                await gate.WaitAsync();
                try
                {
                    await layer.GroupDiscardAsync("room", member.Channel);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        while (layer.RoomCount > 0) // the room goes once its last member is out
        {
            await Task.Delay(1);
        }

        return clock.Elapsed.TotalSeconds;
    }
}
