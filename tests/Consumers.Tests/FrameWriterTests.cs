using System.Buffers;
using System.Net.WebSockets;
using ActorChat.Consumers.Hosting;

namespace ActorChat.Consumers.Tests;

public sealed class FrameWriterTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x81, 0 })]
    [InlineData(125, new byte[] { 0x81, 125 })]
    [InlineData(126, new byte[] { 0x81, 126, 0, 126 })]
    [InlineData(65535, new byte[] { 0x81, 126, 0xFF, 0xFF })]
    [InlineData(65536, new byte[] { 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0 })]
    public void A_text_frame_has_fin_no_mask_and_the_shortest_length_form(int length, byte[] header)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.Write(output, WebSocketMessageType.Text, payload);
        Assert.Equal(header, output.WrittenSpan[..header.Length].ToArray());
        Assert.Equal(payload, output.WrittenSpan[header.Length..].ToArray());
    }

    [Fact]
    public void A_binary_frame_uses_opcode_two()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.Write(output, WebSocketMessageType.Binary, [1, 2]);
        Assert.Equal([0x82, 2, 1, 2], output.WrittenSpan.ToArray());
    }
}
