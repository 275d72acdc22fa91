using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Writes commands and reads replies in RESP2, the Redis wire protocol: a command is an array of bulk
/// strings; a reply is one of five types. Only what the channel layer uses; no RESP3.
/// </summary>
internal static class RespProtocol
{
    /// <summary>Appends <c>*n\r\n$len\r\narg\r\n…</c> for one command.</summary>
    public static void WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<object> args)
    {
        WriteHeader(output, '*', args.Length);
        foreach (var arg in args)
        {
            switch (arg)
            {
                case byte[] bytes:
                    WriteBulk(output, bytes);
                    break;
                case ReadOnlyMemory<byte> memory:
                    WriteBulk(output, memory.Span);
                    break;
                case string text:
                    var length = Encoding.UTF8.GetByteCount(text);
                    WriteHeader(output, '$', length);
                    var span = output.GetSpan(length + 2);
                    Encoding.UTF8.GetBytes(text, span);
                    "\r\n"u8.CopyTo(span[length..]);
                    output.Advance(length + 2);
                    break;
                case long or int:
                    WriteBulk(output, Encoding.ASCII.GetBytes(Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture)!));
                    break;
                default:
                    throw new ArgumentException($"A Redis argument must be text, bytes or a whole number, not {arg?.GetType().Name ?? "null"}.");
            }
        }
    }

    private static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteHeader(output, '$', bytes.Length);
        var span = output.GetSpan(bytes.Length + 2);
        bytes.CopyTo(span);
        "\r\n"u8.CopyTo(span[bytes.Length..]);
        output.Advance(bytes.Length + 2);
    }

    private static void WriteHeader(IBufferWriter<byte> output, char kind, int count)
    {
        var span = output.GetSpan(16);
        span[0] = (byte)kind;
        Utf8Formatter.TryFormat(count, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }

    /// <summary>Tries to read one whole reply from <paramref name="reader"/>; false when more bytes are needed.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out RedisReply reply)
    {
        reply = default;
        if (!reader.TryRead(out var kind) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        switch ((char)kind)
        {
            case '+':
            case '-':
                reply = new RedisReply((char)kind, Text: Encoding.UTF8.GetString(line));
                return true;
            case ':':
                reply = new RedisReply(':', Integer: ParseLong(line));
                return true;
            case '$':
                var length = ParseLong(line);
                if (length < 0)
                {
                    reply = new RedisReply('$');
                    return true;
                }

                if (reader.Remaining < length + 2)
                {
                    return false;
                }

                var bulk = new byte[length];
                reader.TryCopyTo(bulk);
                reader.Advance(length + 2);
                reply = new RedisReply('$', Bulk: bulk);
                return true;
            case '*':
                var count = ParseLong(line);
                if (count < 0)
                {
                    reply = new RedisReply('*');
                    return true;
                }

                var items = new RedisReply[count];
                for (var i = 0; i < count; i++)
                {
                    if (!TryRead(ref reader, out items[i]))
                    {
                        return false;
                    }
                }

                reply = new RedisReply('*', Items: items);
                return true;
            default:
                throw new RedisUnavailableException($"Redis sent a reply of unknown type '{(char)kind}'; is this a Redis server?");
        }
    }

    private static long ParseLong(ReadOnlySequence<byte> line)
    {
        Span<byte> digits = stackalloc byte[24];
        var length = (int)Math.Min(line.Length, digits.Length);
        line.Slice(0, length).CopyTo(digits);
        return Utf8Parser.TryParse(digits[..length], out long value, out _)
            ? value
            : throw new RedisUnavailableException("Redis sent a malformed length or integer.");
    }
}
