using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// Writes one unfragmented server-to-client WebSocket data frame (RFC 6455 §5.2: FIN set, no mask, the length
/// in 7, 16 or 64 bits) straight into a connection's output: the header and one copy of the shared payload.
/// </summary>
internal static class FrameWriter
{
    public static void Write(IBufferWriter<byte> output, WebSocketMessageType type, ReadOnlySpan<byte> payload)
    {
        var opcode = type == WebSocketMessageType.Binary ? (byte)0x2 : (byte)0x1;
        var length = payload.Length;
        var headerLength = length < 126 ? 2 : length <= ushort.MaxValue ? 4 : 10;
        var span = output.GetSpan(headerLength + length);
        span[0] = (byte)(0x80 | opcode);
        if (length < 126)
        {
            span[1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            span[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)length);
        }
        else
        {
            span[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(span[2..], (ulong)length);
        }

        payload.CopyTo(span[headerLength..]);
        output.Advance(headerLength + length);
    }
}
