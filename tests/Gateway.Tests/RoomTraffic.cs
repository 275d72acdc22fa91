namespace ActorChat.Gateway.Tests;

/// <summary>
/// Every client sends numbered messages to its room; every client must then receive each message of its room
/// exactly once, in each sender's order, and nothing from other rooms.
/// </summary>
public static class RoomTraffic
{
    public static async Task AssertEveryMessageArrivesOnceInOrderAsync(IReadOnlyList<(string Room, int Index, WsClient Client)> clients, int messagesEach)
    {
        var perRoom = clients.GroupBy(c => c.Room).ToDictionary(g => g.Key, g => g.Count());
        var receiving = clients.Select(c => Task.Run(async () =>
        {
            var got = new List<string>();
            for (var n = 0; n < perRoom[c.Room] * messagesEach; n++)
            {
                got.Add((await c.Client.ReceiveJsonAsync(TimeSpan.FromSeconds(20))).GetProperty("message").GetString()!);
            }

            return (c.Room, Messages: got);
        })).ToList();

        await Task.WhenAll(clients.Select(c => Task.Run(async () =>
        {
            for (var seq = 0; seq < messagesEach; seq++)
            {
                await c.Client.SendJsonAsync(new { message = $"{c.Room}:{c.Index}:{seq}" });
            }
        })));

        foreach (var (room, messages) in await Task.WhenAll(receiving))
        {
            var parsed = messages.Select(m => m.Split(':')).ToList();
            Assert.All(parsed, p => Assert.Equal(room, p[0]));
            Assert.Equal(perRoom[room] * messagesEach, messages.Distinct().Count());
            foreach (var bySender in parsed.GroupBy(p => p[1]))
            {
                Assert.Equal(Enumerable.Range(0, messagesEach), bySender.Select(p => int.Parse(p[2])));
            }
        }
    }
}
