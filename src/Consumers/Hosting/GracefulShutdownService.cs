using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// On SIGTERM (application stopping): refuse new handshakes, close every socket with 1001, and wait until each
/// consumer has left its groups and stopped, or until <see cref="BridgeOptions.ShutdownTimeout"/>; then drop the
/// connections whose clients have not finished closing, so the node exits on time.
/// </summary>
/// <remarks>
/// The wait runs in <see cref="StoppingAsync"/>, which the host runs before any hosted service's <c>StopAsync</c>. So the
/// sockets are closed while the actor system still runs (consumers need it to leave their groups), whatever order the
/// services were registered in; Akka.Hosting's own service then runs CoordinatedShutdown in its <c>StopAsync</c>.
/// </remarks>
internal sealed class GracefulShutdownService(
    IHostApplicationLifetime lifetime, ConnectionRegistry registry, IOptions<BridgeOptions> options, ILoggerFactory loggers) : IHostedLifecycleService
{
    // After the drops, how long the consumers get to see their disconnect and leave their groups.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = loggers.CreateLogger("ActorChat.Consumers.Bridge");
    private CancellationTokenRegistration _stopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(BeginShutdown);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _stopping.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refuses new handshakes, closes every socket with 1001 and waits until they are gone, dropping the ones still open at
    /// <see cref="BridgeOptions.ShutdownTimeout"/>. Runs on SIGTERM (<see cref="StoppingAsync"/>), and from CoordinatedShutdown
    /// when Akka stops the system itself (the cluster downed or removed this node); the second call finds nothing left.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        BeginShutdown(); // also when the host stops without ApplicationStopping firing first
        try
        {
            await registry.WhenDrained.WaitAsync(options.Value.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BridgeLog.ShutdownTimedOut(_logger, registry.Count, options.Value.ShutdownTimeout);
            registry.AbortAll();
            await registry.WhenDrained.WaitAsync(AbortGrace, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void BeginShutdown()
    {
        if (!registry.IsStopping)
        {
            BridgeLog.ShuttingDown(_logger, registry.Count);
        }

        registry.BeginShutdown();
    }
}
