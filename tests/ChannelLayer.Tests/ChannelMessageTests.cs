using System.Text;

namespace ActorChat.ChannelLayer.Tests;

public sealed class ChannelMessageTests
{
    [ChannelMessageType("chat.message")]
    private sealed record ChatMessage(string Message);

    private sealed record Untyped(string Message);

    private static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

    [Fact]
    public void A_message_encodes_its_fields_in_camel_case_and_says_its_type()
    {
        var message = ChannelMessage.Create("chat.message", new { Message = "hi", Count = 2 });
        Assert.Equal("""{"message":"hi","count":2}""", Text(message.PayloadJson));
        Assert.Equal("""chat.message {"message":"hi","count":2}""", message.ToString());
        Assert.Equal("{}", Text(ChannelMessage.Create("ping").PayloadJson));
    }

    [Fact]
    public void Encoding_happens_once_per_instance()
    {
        var message = ChannelMessage.Create("chat.message", new { message = "hi" });
        var before = ChannelMessage.EncodeCount;
        var first = message.PayloadJson;
        var again = message.PayloadJson;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(first, out var a));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(again, out var b));
        Assert.Same(a.Array, b.Array);
        Assert.Equal("""{"message":"hi"}""", Text(first));
        Assert.True(ChannelMessage.EncodeCount - before >= 1); // other tests encode in parallel
    }

    [Fact]
    public void A_record_with_a_type_attribute_becomes_a_message_and_reads_back_without_a_copy()
    {
        var record = new ChatMessage("hello");
        var message = ChannelMessage.From(record);
        Assert.Equal("chat.message", message.Type);
        Assert.Same(record, message.Deserialize<ChatMessage>());
        Assert.Equal("hello", message.Get<string>("message"));
    }

    [Fact]
    public void A_record_without_a_type_attribute_is_refused_with_the_fix()
    {
        var ex = Assert.Throws<ArgumentException>(() => ChannelMessage.From(new Untyped("x")));
        Assert.Contains("[ChannelMessageType(", ex.Message);
    }

    [Fact]
    public void A_payload_that_is_not_an_object_or_brings_its_own_type_is_refused_at_encoding()
    {
        Assert.Contains("must serialize to a JSON object", Assert.Throws<ChannelMessageSerializationException>(() => ChannelMessage.Create("x.y", new[] { 1 }).EnsureEncoded()).Message);
        Assert.Contains("field named 'type'", Assert.Throws<ChannelMessageSerializationException>(() => ChannelMessage.Create("x.y", new { type = "z" }).EnsureEncoded()).Message);
    }

    [Fact]
    public void Reading_a_missing_field_names_the_field_and_the_type()
    {
        var message = ChannelMessage.Create("chat.message", new { message = "hi" });
        Assert.Equal("Message 'chat.message' has no field 'nope'.", Assert.Throws<KeyNotFoundException>(() => message.Get<string>("nope")).Message);
        Assert.False(message.TryGet<string>("nope", out _));
    }

    [Fact]
    public void A_bad_type_is_refused_when_the_message_is_created()
    {
        Assert.Throws<InvalidChannelNameException>(() => ChannelMessage.Create("bad type"));
        Assert.Throws<InvalidChannelNameException>(() => ChannelMessage.Create("a!b"));
    }

    [Fact]
    public void Fields_from_another_node_are_adopted_as_sent_and_read_lazily()
    {
        var fields = """{"message":"hi"}"""u8.ToArray();
        var before = ChannelMessage.EncodeCount;
        var message = ChannelMessage.FromPayloadJson("chat.message", fields);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(message.PayloadJson, out var adopted));
        Assert.Same(fields, adopted.Array); // no copy, no re-encoding
        Assert.Equal(before, ChannelMessage.EncodeCount);
        Assert.Equal("hi", message.Get<string>("message"));
        Assert.Throws<FormatException>(() => ChannelMessage.FromPayloadJson("chat.message", "[1]"u8.ToArray()));
        Assert.Throws<FormatException>(() => ChannelMessage.FromPayloadJson("bad type", fields));
    }
}
