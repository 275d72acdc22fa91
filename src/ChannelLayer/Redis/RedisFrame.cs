using System.Globalization;
using System.Text;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// What the Redis layer puts on the wire: <c>head\ntype\nfields</c>. The head is a node id (a group message), a channel
/// name (a direct send) or an expiry in ticks (a worker list entry); the fields are the message's one encoding, so nobody
/// re-encodes or re-parses them.
/// </summary>
internal static class RedisFrame
{
    public static byte[] Write(string head, ChannelMessage message)
    {
        var fields = message.PayloadJson.Span;
        var frame = new byte[Encoding.UTF8.GetByteCount(head) + 1 + message.Type.Length + 1 + fields.Length];
        var at = Encoding.UTF8.GetBytes(head, frame);
        frame[at++] = (byte)'\n';
        at += Encoding.ASCII.GetBytes(message.Type, frame.AsSpan(at));
        frame[at++] = (byte)'\n';
        fields.CopyTo(frame.AsSpan(at));
        return frame;
    }

    /// <summary>Reads a frame; false with a reason when it is not one.</summary>
    public static bool TryRead(byte[] frame, out string head, out ChannelMessage? message, out string? problem)
    {
        head = "";
        message = null;
        var first = Array.IndexOf(frame, (byte)'\n');
        var second = first < 0 ? -1 : Array.IndexOf(frame, (byte)'\n', first + 1);
        if (first <= 0 || second <= first + 1)
        {
            problem = "expected head, type and fields on three lines";
            return false;
        }

        try
        {
            head = Encoding.UTF8.GetString(frame, 0, first);
            message = ChannelMessage.FromPayloadJson(Encoding.ASCII.GetString(frame, first + 1, second - first - 1), frame[(second + 1)..]);
            problem = null;
            return true;
        }
        catch (FormatException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    /// <summary>A worker list entry: the message and when it expires.</summary>
    public static byte[] ListEntry(ChannelMessage message, DateTimeOffset expiresAt) =>
        Write(expiresAt.UtcTicks.ToString(CultureInfo.InvariantCulture), message);

    /// <summary>Reads a worker list entry written by <see cref="ListEntry"/>; false when someone else wrote it.</summary>
    public static bool TryReadListEntry(byte[] entry, out long expiresAtTicks, out ChannelMessage message)
    {
        expiresAtTicks = 0;
        message = null!;
        if (!TryRead(entry, out var head, out var read, out _) || !long.TryParse(head, CultureInfo.InvariantCulture, out expiresAtTicks))
        {
            return false;
        }

        message = read!;
        return true;
    }
}
