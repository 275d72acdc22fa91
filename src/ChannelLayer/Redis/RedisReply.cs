using System.Text;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>One RESP2 reply: a simple string, an error, an integer, a bulk string (null for nil), or an array.</summary>
internal readonly record struct RedisReply(char Kind, long Integer = 0, byte[]? Bulk = null, RedisReply[]? Items = null, string? Text = null)
{
    public bool IsError => Kind == '-';

    public bool IsNil => Kind == '$' && Bulk is null || Kind == '*' && Items is null;

    /// <summary>The reply as text: a simple string, error message, bulk string or integer.</summary>
    public string? AsString() => Kind switch
    {
        '+' or '-' => Text,
        '$' => Bulk is null ? null : Encoding.UTF8.GetString(Bulk),
        ':' => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Throws <see cref="RedisUnavailableException"/> for an error reply, so a failed command is never silent.</summary>
    public RedisReply ThrowIfError(string command) =>
        IsError ? throw new RedisUnavailableException($"Redis refused {command}: {Text}") : this;
}
