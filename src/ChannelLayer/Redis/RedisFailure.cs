using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>What StackExchange.Redis throws when Redis cannot serve a command.</summary>
internal static class RedisFailure
{
    /// <summary>
    /// A connection or server failure (<see cref="RedisException"/>), or a command that timed out: a hung or overloaded
    /// Redis, whose <see cref="RedisTimeoutException"/> is a <see cref="TimeoutException"/>, not a RedisException.
    /// </summary>
    public static bool Is(Exception exception) => exception is RedisException or TimeoutException;
}
