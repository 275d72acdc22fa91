using System.Net;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// Commands to one Redis server over a pipelined connection that is reopened after a failure. While
/// Redis is down, commands fail fast with <see cref="RedisUnavailableException"/> instead of waiting:
/// a reconnect is tried at most every <see cref="RetryInterval"/>.
/// </summary>
internal sealed class RedisClient(EndPoint endpoint, TimeSpan connectTimeout, Action<string>? onFireAndForgetError = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private RedisConnection? _connection;
    private long _nextAttempt;
    private string _lastError = "not connected yet";

    /// <summary>The least time between two reconnect attempts. The default is 500 ms.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public async Task<RedisReply> ExecuteAsync(params object[] args)
    {
        var connection = await ConnectionAsync().ConfigureAwait(false);
        return await connection.ExecuteAsync(args).ConfigureAwait(false);
    }

    /// <summary>Sends without waiting for the reply. Throws only when Redis is known to be unreachable.</summary>
    public async ValueTask FireAsync(params object[] args)
    {
        var connection = await ConnectionAsync().ConfigureAwait(false);
        connection.Fire(args);
    }

    /// <summary>
    /// Completes once a connection is open: at once, without suspending, when one already is. After it, a command
    /// is queued on the connection before <see cref="ExecuteAsync"/> or <see cref="FireAsync"/> first yields.
    /// </summary>
    public async ValueTask EnsureConnectedAsync() => await ConnectionAsync().ConfigureAwait(false);

    /// <summary>True when Redis answers PING within <paramref name="timeout"/>.</summary>
    public async Task<bool> PingAsync(TimeSpan timeout)
    {
        try
        {
            var reply = await ExecuteAsync("PING").WaitAsync(timeout).ConfigureAwait(false);
            return reply.AsString() == "PONG";
        }
        catch (Exception ex) when (ex is RedisUnavailableException or TimeoutException)
        {
            return false;
        }
    }

    private async ValueTask<RedisConnection> ConnectionAsync()
    {
        var current = Volatile.Read(ref _connection);
        if (current is { IsBroken: false })
        {
            return current;
        }

        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            current = _connection;
            if (current is { IsBroken: false })
            {
                return current;
            }

            if (Environment.TickCount64 < _nextAttempt)
            {
                throw new RedisUnavailableException($"Redis at {endpoint} is unreachable ({_lastError}); retrying shortly.");
            }

            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                _connection = await RedisConnection.ConnectAsync(endpoint, connectTimeout, onFireAndForgetError: onFireAndForgetError).ConfigureAwait(false);
                return _connection;
            }
            catch (RedisUnavailableException ex)
            {
                _connection = null;
                _lastError = ex.Message;
                _nextAttempt = Environment.TickCount64 + (long)RetryInterval.TotalMilliseconds;
                throw;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
