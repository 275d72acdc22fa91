using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// On SIGTERM (application stopping): refuse new handshakes, close every socket with 1001, and wait
/// until each consumer has left its groups and stopped, or until <see cref="BridgeOptions.ShutdownTimeout"/>.
/// </summary>
internal sealed class GracefulShutdownService(
    IHostApplicationLifetime lifetime, ConnectionRegistry registry, IOptions<BridgeOptions> options, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("ActorChat.Consumers.Bridge");
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() =>
        {
            BridgeLog.ShuttingDown(_logger, registry.Count);
            registry.BeginShutdown();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        registry.BeginShutdown(); // also when the host stops without ApplicationStopping firing first
        try
        {
            await registry.WhenDrained.WaitAsync(options.Value.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BridgeLog.ShutdownTimedOut(_logger, registry.Count, options.Value.ShutdownTimeout);
        }
        finally
        {
            await _stopping.DisposeAsync().ConfigureAwait(false);
        }
    }
}
