using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ActorChat.Gateway.Chat;

namespace ActorChat.Gateway.Tests;

/// <summary>Presence in the chat: the consumer's frames through the communicator, and the HTTP list and metrics on a real node.</summary>
public sealed class ChatPresenceTests : ConsumerTestKit
{
    private WebSocketCommunicator Chat(string query) => Communicator<ChatConsumer>($"/ws/chat/lobby/{query}", "/ws/chat/{room}/");

    private static IEnumerable<string> Keys(JsonElement byKey) => byKey.EnumerateObject().Select(p => p.Name);

    [Fact]
    public async Task A_client_with_a_nick_gets_the_state_then_the_diffs_and_a_client_without_one_gets_only_the_diffs()
    {
        await using var ada = Chat("?nick=ada");
        Assert.True((await ada.ConnectAsync()).Accepted);
        var state = await ada.ReceiveJsonFromAsync();
        Assert.Equal("presence_state", state.GetProperty("event").GetString());
        Assert.Equal(["ada"], Keys(state.GetProperty("presences")));
        var own = await ada.ReceiveJsonFromAsync();
        Assert.Equal("presence_diff", own.GetProperty("event").GetString());
        Assert.Equal(["ada"], Keys(own.GetProperty("joins")));

        await using var anonymous = Chat("");
        Assert.True((await anonymous.ConnectAsync()).Accepted);
        await using var bob = Chat("?nick=bob");
        Assert.True((await bob.ConnectAsync()).Accepted);
        var bobState = await bob.ReceiveJsonFromAsync();
        Assert.Equal(["ada", "bob"], Keys(bobState.GetProperty("presences")).Order());

        var join = await ada.ReceiveJsonFromAsync();
        Assert.Equal(["bob"], Keys(join.GetProperty("joins")));
        var bobMeta = join.GetProperty("joins").GetProperty("bob").GetProperty("metas")[0];
        Assert.Equal("bob", bobMeta.GetProperty("key").GetString());
        Assert.False(string.IsNullOrEmpty(bobMeta.GetProperty("channel").GetString()));
        Assert.Empty(Keys(join.GetProperty("leaves")));

        await bob.DisconnectAsync();
        var leave = await ada.ReceiveJsonFromAsync();
        Assert.Equal(["bob"], Keys(leave.GetProperty("leaves")));
        Assert.Empty(Keys(leave.GetProperty("joins")));

        await ada.SendJsonToAsync(new { message = "hi" });
        var chat = await ada.ReceiveJsonFromAsync();
        Assert.Equal("hi", chat.GetProperty("message").GetString());
        Assert.Equal("ada", chat.GetProperty("nick").GetString()); // the nick from the query names the sender
        // A member without a nick gets no state, but the room's diffs all the same: bob's join, bob's leave, then the message.
        var seen = new List<string>();
        JsonElement frame;
        while (!(frame = await anonymous.ReceiveJsonFromAsync()).TryGetProperty("message", out _))
        {
            Assert.Equal("presence_diff", frame.GetProperty("event").GetString());
            seen.AddRange(Keys(frame.GetProperty("joins")).Select(k => "+" + k));
            seen.AddRange(Keys(frame.GetProperty("leaves")).Select(k => "-" + k));
        }

        Assert.Equal(["+bob", "-bob"], seen);
        Assert.Equal("hi", frame.GetProperty("message").GetString());
        await ada.ReceiveNothingAsync();
        await anonymous.ReceiveNothingAsync();
    }

    [Fact]
    public async Task A_bad_nick_is_refused_and_the_room_goes_on()
    {
        await using var bad = Chat("?nick=no%20spaces");
        Assert.False((await bad.ConnectAsync()).Accepted);
        await using var good = Chat("?nick=ada");
        Assert.True((await good.ConnectAsync()).Accepted);
        Assert.Equal("presence_state", (await good.ReceiveJsonFromAsync()).GetProperty("event").GetString());
    }

    [Fact]
    public async Task The_http_list_shows_each_key_with_its_metas_a_bad_room_gets_400_and_metrics_count_entries_and_diffs()
    {
        await using var server = await GatewayServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var tabs = new List<WsClient>();
        foreach (var nick in new[] { "ada", "ada", "bob" })
        {
            var client = await WsClient.ConnectAsync(server.Ws($"/ws/chat/lounge/?nick={nick}"));
            await client.ReceiveJsonAsync(); // presence.state
            tabs.Add(client);
        }

        var body = await http.GetFromJsonAsync<JsonElement>("/api/rooms/lounge/presence");
        Assert.Equal("lounge", body.GetProperty("room").GetString());
        var entries = body.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["ada", "bob"], entries.Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(2, entries[0].GetProperty("metas").GetArrayLength());
        var meta = entries[0].GetProperty("metas")[0];
        Assert.StartsWith("node-", meta.GetProperty("node").GetString()); // the node id (a random one when none is configured)
        Assert.True(meta.GetProperty("joinedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Empty((await http.GetFromJsonAsync<JsonElement>("/api/rooms/empty/presence")).GetProperty("entries").EnumerateArray());

        var bad = await http.GetAsync("/api/rooms/no!bang/presence");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not valid", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        // Diffs go out in batches at most PresenceDiffInterval apart, so the count settles shortly after the joins.
        await Eventually.AssertAsync(async () =>
        {
            var metrics = await http.ScrapeAsync();
            Assert.Equal(3, metrics["actorchat_presence_entries"]);
            Assert.InRange(metrics["actorchat_presence_diffs_total"], 1, 3); // three joins, batched into one to three diffs
        });
        await tabs[2].DisposeAsync();
        await Eventually.AssertAsync(async () => Assert.Equal(2, (await http.ScrapeAsync())["actorchat_presence_entries"]));
        Assert.Equal(["ada"], (await http.GetFromJsonAsync<JsonElement>("/api/rooms/lounge/presence")).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        foreach (var tab in tabs.Take(2))
        {
            await tab.DisposeAsync();
        }
    }
}
