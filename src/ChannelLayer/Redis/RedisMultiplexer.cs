using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActorChat.ChannelLayer.Redis;

/// <summary>
/// A node's one StackExchange.Redis <see cref="ConnectionMultiplexer"/>, shared by commands and subscriptions, and what the
/// layer reads from it: whether Redis is reachable, how often the connection that carries subscriptions came up, and the
/// connection failures and restorations, each logged once (at most one line per endpoint and kind every five seconds) and
/// counted on the <c>ActorChat.Redis</c> meter.
/// </summary>
internal sealed partial class RedisMultiplexer : IAsyncDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "ActorChat.Redis";

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _failures;
    private long _restorations;
    private readonly Dictionary<string, long> _lastLog = [];
    private int _subscriberConnections;

    public RedisMultiplexer(ConfigurationOptions configuration, ILogger logger, IMeterFactory? meterFactory)
    {
        _logger = logger;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("actorchat_redis_connection_failures", () => Interlocked.Read(ref _failures), description: "Connections to Redis that failed or were lost.");
        _meter.CreateObservableCounter("actorchat_redis_connection_restorations", () => Interlocked.Read(ref _restorations), description: "Connections to Redis that came back after a failure.");

        // With abortConnect=false this returns after the first attempt even when Redis is down, and keeps retrying.
        Connection = ConnectionMultiplexer.Connect(configuration);
        _meter.CreateObservableGauge("actorchat_redis_connected", () => Connection.IsConnected ? 1L : 0L, description: "1 while the node has a connection to Redis.");
        Connection.ConnectionFailed += OnConnectionFailed;
        Connection.ConnectionRestored += OnConnectionRestored;
        IsCluster = configuration.EndPoints.Count >= 2;
        if (Connection.IsConnected)
        {
            _subscriberConnections = Connection.GetServers().Count(s => s.IsConnected);
        }
    }

    /// <summary>The multiplexer.</summary>
    public ConnectionMultiplexer Connection { get; }

    /// <summary>Two or more endpoints were configured: a Redis Cluster, so group traffic uses sharded pub/sub.</summary>
    public bool IsCluster { get; }

    /// <summary>How many times the connection that carries subscriptions came up, summed over the servers.</summary>
    public int SubscriberConnections => Volatile.Read(ref _subscriberConnections);

    /// <summary>A pub/sub channel of the right kind: sharded on a Redis Cluster, plain otherwise.</summary>
    public RedisChannel Channel(string name) => IsCluster ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);

    /// <summary>The servers that own data (masters), for scans and health checks.</summary>
    public IEnumerable<IServer> Masters => Connection.GetServers().Where(s => !s.IsReplica);

    /// <summary>True when every master answers PING within <paramref name="timeout"/>.</summary>
    public async Task<bool> PingAsync(TimeSpan timeout)
    {
        if (!Connection.IsConnected)
        {
            return false;
        }

        try
        {
            var masters = Masters.ToList();
            await Task.WhenAll(masters.Select(server => server.PingAsync())).WaitAsync(timeout).ConfigureAwait(false);
            return masters.Count > 0;
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Connection.ConnectionFailed -= OnConnectionFailed;
        Connection.ConnectionRestored -= OnConnectionRestored;
        await Connection.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _failures);
        if (ShouldLog("failed", e))
        {
            Log.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "Redis", e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message ?? "");
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _restorations);
        if (CarriesSubscriptions(e))
        {
            Interlocked.Increment(ref _subscriberConnections);
        }

        if (ShouldLog("restored", e))
        {
            Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "Redis", e.ConnectionType.ToString());
        }
    }

    /// <summary>On RESP3 one connection per server carries commands and subscriptions; on RESP2 a second one carries subscriptions.</summary>
    private bool CarriesSubscriptions(ConnectionFailedEventArgs e) =>
        e.EndPoint is { } endpoint && e.ConnectionType == (Connection.GetServer(endpoint).Protocol == RedisProtocol.Resp3 ? ConnectionType.Interactive : ConnectionType.Subscription);

    private bool ShouldLog(string what, ConnectionFailedEventArgs e)
    {
        var key = $"{what}|{e.EndPoint}|{e.ConnectionType}";
        var now = Environment.TickCount64;
        lock (_lastLog)
        {
            if (_lastLog.TryGetValue(key, out var last) && now - last < LogInterval.TotalMilliseconds)
            {
                return false;
            }

            _lastLog[key] = now;
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(212, LogLevel.Warning, "Redis connection to {Endpoint} ({Kind}) failed: {FailureType} {Problem}; local rooms go on, cross-node traffic is counted as lost until it is back")]
        public static partial void ConnectionFailed(ILogger logger, string endpoint, string kind, string failureType, string problem);

        [LoggerMessage(213, LogLevel.Information, "Redis connection to {Endpoint} ({Kind}) restored; subscriptions are renewed")]
        public static partial void ConnectionRestored(ILogger logger, string endpoint, string kind);
    }
}
