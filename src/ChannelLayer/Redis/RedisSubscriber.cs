using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// A dedicated pub/sub connection to one Redis server that keeps the set of channels this node wants
/// there. It reconnects by itself after a failure and then subscribes to every wanted channel once on
/// the new connection, so a subscription is restored without a restart and never duplicated. Messages
/// go to <c>onMessage</c>. A sharded subscriber (Redis Cluster) uses SSUBSCRIBE, one channel per
/// command because a command's channels must share a slot, and reports a redirect or a slot taken
/// away by the server to <c>onRedirected</c>, so its owner can place the channel on the new owner.
/// </summary>
internal sealed partial class RedisSubscriber : IAsyncDisposable
{
    private readonly EndPoint _endpoint;
    private readonly Action<string, byte[]> _onMessage;
    private readonly ILogger _logger;
    private readonly TimeSpan _connectTimeout;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _confirmations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _sharded;
    private readonly Action? _onRedirected;
    private readonly Task _loop;
    private RedisConnection? _connection;

    public RedisSubscriber(EndPoint endpoint, TimeSpan connectTimeout, Action<string, byte[]> onMessage, ILogger logger, bool sharded = false, Action? onRedirected = null)
    {
        _endpoint = endpoint;
        _connectTimeout = connectTimeout;
        _onMessage = onMessage;
        _logger = logger;
        _sharded = sharded;
        _onRedirected = onRedirected;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The server this subscriber listens to.</summary>
    public EndPoint Endpoint => _endpoint;

    /// <summary>True when this subscriber wants at least one channel.</summary>
    public bool HasChannels
    {
        get
        {
            lock (_gate)
            {
                return _wanted.Count > 0;
            }
        }
    }

    /// <summary>True while the subscriber connection is up.</summary>
    public bool IsConnected => _connection is { IsBroken: false };

    /// <summary>How many times the connection has been (re)established; the first connect counts as 1.</summary>
    public int Connections { get; private set; }

    /// <summary>Wants <paramref name="channel"/>; when connected, returns once Redis confirmed the subscription.</summary>
    public Task SubscribeAsync(string channel) => Change(_sharded ? "SSUBSCRIBE" : "SUBSCRIBE", channel, add: true);

    /// <summary>No longer wants <paramref name="channel"/>.</summary>
    public Task UnsubscribeAsync(string channel) => Change(_sharded ? "SUNSUBSCRIBE" : "UNSUBSCRIBE", channel, add: false);

    private async Task Change(string command, string channel, bool add)
    {
        TaskCompletionSource? confirmed = null;
        lock (_gate)
        {
            if (add ? !_wanted.Add(channel) : !_wanted.Remove(channel))
            {
                return;
            }

            if (_connection is { IsBroken: false } connection)
            {
                confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _confirmations[command + " " + channel] = confirmed;
                connection.Fire(command, channel);
            }
        }

        if (confirmed is not null)
        {
            // Not connected, or no confirmation in time: the reconnect loop subscribes to what is wanted.
            await Task.WhenAny(confirmed.Task, Task.Delay(_connectTimeout)).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var connection = await RedisConnection.ConnectAsync(_endpoint, _connectTimeout, onPush: OnReply).ConfigureAwait(false);
                lock (_gate)
                {
                    _connection = connection;
                    Connections++;
                    if (_sharded)
                    {
                        foreach (var channel in _wanted)
                        {
                            connection.Fire("SSUBSCRIBE", channel);
                        }
                    }
                    else if (_wanted.Count > 0)
                    {
                        connection.Fire(["SUBSCRIBE", .. _wanted]);
                    }
                }

                if (Connections > 1)
                {
                    Log.Resubscribed(_logger, _endpoint.ToString()!, _wanted.Count);
                }

                backoff = TimeSpan.FromMilliseconds(100);
                await Task.WhenAny(connection.Closed, Task.Delay(Timeout.Infinite, _stop.Token)).ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                if (!_stop.IsCancellationRequested)
                {
                    Log.Lost(_logger, _endpoint.ToString()!);
                }
            }
            catch (RedisUnavailableException)
            {
            }

            lock (_gate)
            {
                _connection = null;
            }

            try
            {
                await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private void OnReply(RedisReply reply)
    {
        if (RedisEndpoint.Redirect(reply, out _) is not null)
        {
            _onRedirected?.Invoke(); // SSUBSCRIBE to a slot this server does not own
            return;
        }

        if (reply.Items is not { Length: >= 3 } items)
        {
            return;
        }

        var kind = items[0].AsString();
        var channel = items[1].AsString() ?? "";
        if (kind is "message" or "smessage" && items[2].Bulk is { } payload)
        {
            _onMessage(channel, payload);
            return;
        }

        if (kind is "subscribe" or "unsubscribe" or "ssubscribe" or "sunsubscribe")
        {
            TaskCompletionSource? confirmed;
            bool stillWanted;
            lock (_gate)
            {
                _confirmations.Remove(kind.ToUpperInvariant() + " " + channel, out confirmed);
                stillWanted = _wanted.Contains(channel);
            }

            confirmed?.TrySetResult();
            if (kind == "sunsubscribe" && confirmed is null && stillWanted)
            {
                _onRedirected?.Invoke(); // the server gave the channel's slot away (resharding or failover)
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Warning, "Lost the Redis subscriber connection to {Endpoint}; reconnecting")]
        public static partial void Lost(ILogger logger, string endpoint);

        [LoggerMessage(201, LogLevel.Information, "Reconnected to Redis at {Endpoint}; subscribed again to {Count} channels")]
        public static partial void Resubscribed(ILogger logger, string endpoint, int count);
    }
}
