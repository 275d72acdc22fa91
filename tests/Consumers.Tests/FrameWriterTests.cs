using System.Buffers;
using System.IO.Pipelines;
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
        var output = new byte[FrameWriter.SizeOf(length)];
        Assert.Equal(output.Length, FrameWriter.Write(output, WebSocketMessageType.Text, payload));
        Assert.Equal(header, output[..header.Length]);
        Assert.Equal(payload, output[header.Length..]);
    }

    [Fact]
    public void A_binary_frame_uses_opcode_two()
    {
        var output = new byte[FrameWriter.SizeOf(2)];
        FrameWriter.Write(output, WebSocketMessageType.Binary, [1, 2]);
        Assert.Equal([0x82, 2, 1, 2], output);
    }

    [Fact]
    public async Task A_batch_keeps_every_frame_whole_and_in_order_across_buffer_segments()
    {
        // Small segments, and payloads from empty to larger than a segment, so frames straddle segment ends.
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 256, pauseWriterThreshold: 0));
        var queue = new FrameQueue(capacity: 1000);
        var random = new Random(7);
        var payloads = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            var length = i % 50 == 0 ? random.Next(300, 70_000) : random.Next(0, 200);
            var payload = new byte[length];
            random.NextBytes(payload);
            payloads.Add(payload);
            Assert.True(queue.TryWrite(new OutgoingFrame(i % 3 == 0 ? WebSocketMessageType.Binary : WebSocketMessageType.Text, payload)));
        }

        var frames = new FrameSource(queue, max: 1000);
        FrameWriter.WriteAll(pipe.Writer, frames);
        await pipe.Writer.CompleteAsync();
        Assert.Equal(300, frames.Taken);

        var written = (await pipe.Reader.ReadAtLeastAsync(int.MaxValue)).Buffer.ToArray();
        var at = 0;
        for (var i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(i % 3 == 0 ? 0x82 : 0x81, written[at]);
            var length = (long)(written[at + 1] & 0x7F);
            var header = 2;
            if (length == 126)
            {
                length = (written[at + 2] << 8) | written[at + 3];
                header = 4;
            }
            else if (length == 127)
            {
                length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(written.AsSpan(at + 2));
                header = 10;
            }

            Assert.Equal(payloads[i], written.AsSpan(at + header, (int)length).ToArray());
            at += header + (int)length;
        }

        Assert.Equal(written.Length, at); // nothing before, between or after the frames
    }
}
