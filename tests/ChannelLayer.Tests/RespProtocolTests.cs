using System.Buffers;
using System.Text;
using ActorChat.ChannelLayer.Redis;

namespace ActorChat.ChannelLayer.Tests;

public sealed class RespProtocolTests
{
    private static bool TryRead(string wire, out RedisReply reply, out long consumed)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
        var done = RespProtocol.TryRead(ref reader, out reply);
        consumed = reader.Consumed;
        return done;
    }

    [Fact]
    public void A_command_is_written_as_an_array_of_bulk_strings()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RespProtocol.WriteCommand(buffer, ["PUBLISH", "ch:é", 42L, new byte[] { 1, 2 }]);
        Assert.Equal("*4\r\n$7\r\nPUBLISH\r\n$5\r\nch:é\r\n$2\r\n42\r\n$2\r\n\u0001\u0002\r\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Each_reply_type_is_read()
    {
        Assert.True(TryRead("+PONG\r\n", out var simple, out _));
        Assert.Equal("PONG", simple.AsString());
        Assert.True(TryRead("-ERR wrong\r\n", out var error, out _));
        Assert.True(error.IsError);
        Assert.Throws<RedisUnavailableException>(() => error.ThrowIfError("GET"));
        Assert.True(TryRead(":-7\r\n", out var integer, out _));
        Assert.Equal(-7, integer.Integer);
        Assert.True(TryRead("$5\r\nhe\r\no\r\n", out var bulk, out _));
        Assert.Equal("he\r\no", bulk.AsString());
        Assert.True(TryRead("$-1\r\n", out var nil, out _));
        Assert.True(nil.IsNil);
        Assert.True(TryRead("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nabc\r\n", out var array, out _));
        Assert.Equal(["message", "ch", "abc"], array.Items!.Select(i => i.AsString()));
    }

    [Theory]
    [InlineData("+PON")]
    [InlineData("$5\r\nhel")]
    [InlineData("*2\r\n$1\r\na\r\n")]
    [InlineData(":12")]
    public void A_partial_reply_asks_for_more_bytes(string wire) => Assert.False(TryRead(wire, out _, out _));

    [Fact]
    public void Two_pipelined_replies_are_read_one_at_a_time()
    {
        Assert.True(TryRead(":1\r\n:2\r\n", out var first, out var consumed));
        Assert.Equal(1, first.Integer);
        Assert.Equal(4, consumed);
    }

    [Fact]
    public void A_reply_that_is_not_resp_is_refused_clearly()
    {
        var ex = Assert.Throws<RedisUnavailableException>(() => TryRead("HTTP/1.1 400\r\n", out _, out _));
        Assert.Contains("is this a Redis server?", ex.Message);
    }
}
