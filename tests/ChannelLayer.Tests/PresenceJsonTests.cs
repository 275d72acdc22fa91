using System.Text.Json;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>
/// A presence meta is written field by field by the layer's converter, and a list is sorted and grouped in one pass: both
/// must give exactly what the plain serializer and the documented order give.
/// </summary>
public sealed class PresenceJsonTests
{
    private static readonly JsonSerializerOptions s_plainWebDefaults = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset s_noon = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static PresenceMeta Meta(string key, string channel, int secondsAfterNoon, string meta = "{}") =>
        new(key, channel, "node-1", s_noon.AddSeconds(secondsAfterNoon), JsonDocument.Parse(meta).RootElement.Clone());

    [Fact]
    public void A_meta_is_written_as_the_web_defaults_write_it_and_reads_back()
    {
        var meta = Meta("adä <b>", "specific.a!x1", 3, """{"device": "laptop", "tabs": [1, 2], "note": "é \u2028 \"q\""}""");
        var plain = JsonSerializer.Serialize(meta, s_plainWebDefaults);

        Assert.Equal(plain, JsonSerializer.Serialize(meta, ChannelMessageJson.Options));
        Assert.Equal(plain, JsonSerializer.Serialize(meta, ChannelMessageJson.Options)); // again: the converter keeps no state
        var inAList = new Dictionary<string, PresenceMetas> { ["adä <b>"] = new([meta, meta]) };
        Assert.Equal(JsonSerializer.Serialize(inAList, s_plainWebDefaults), JsonSerializer.Serialize(inAList, ChannelMessageJson.Options));

        var read = JsonSerializer.Deserialize<PresenceMeta>(plain, ChannelMessageJson.Options)!;
        Assert.Equal((meta.Key, meta.Channel, meta.Node, meta.JoinedAt), (read.Key, read.Channel, read.Node, read.JoinedAt));
        Assert.Equal(JsonSerializer.Serialize(meta.Meta), read.Meta.GetRawText()); // the meta as written: compact
    }

    [Fact]
    public void A_list_has_keys_in_order_of_their_oldest_meta_and_each_keys_metas_oldest_first_ties_by_channel()
    {
        PresenceMeta[] metas =
        [
            Meta("cy", "c!1", 5),
            Meta("ada", "a!2", 4),
            Meta("bob", "b!1", 2),
            Meta("ada", "a!1", 4), // the same instant as a!2: the channel decides
            Meta("bob", "b!0", 9),
            Meta("ada", "a!0", 7),
        ];

        var entries = PresenceRules.ToEntries(metas.Reverse());

        Assert.Equal(["bob", "ada", "cy"], entries.Select(e => e.Key));
        Assert.Equal(["b!1", "b!0"], entries[0].Metas.Select(m => m.Channel));
        Assert.Equal(["a!1", "a!2", "a!0"], entries[1].Metas.Select(m => m.Channel));
        Assert.Equal(["c!1"], entries[2].Metas.Select(m => m.Channel));
        Assert.Empty(PresenceRules.ToEntries([]));
    }
}
