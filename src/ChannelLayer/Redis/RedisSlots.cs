using System.Text;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Redis Cluster's key-to-slot function: CRC16 (XMODEM) of the key, or of its hash tag — the part
/// between the first <c>{</c> and the next <c>}</c> when that part is not empty — modulo 16384.
/// Sharded pub/sub channels are placed by the same function.
/// </summary>
internal static class RedisSlots
{
    /// <summary>How many slots a Redis Cluster has.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The slot that owns <paramref name="key"/>.</summary>
    public static int Of(string key)
    {
        Span<byte> stack = stackalloc byte[256];
        var length = Encoding.UTF8.GetByteCount(key);
        var bytes = length <= stack.Length ? stack[..length] : new byte[length];
        Encoding.UTF8.GetBytes(key, bytes);
        return Crc16(HashTag(bytes)) & (Count - 1);
    }

    /// <summary>CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }

        var close = key[(open + 1)..].IndexOf((byte)'}');
        return close > 0 ? key.Slice(open + 1, close) : key; // "{}" or no "}": the whole key is hashed
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
