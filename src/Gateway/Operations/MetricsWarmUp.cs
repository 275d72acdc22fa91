using System.Diagnostics;

namespace ActorChat.Gateway.Operations;

/// <summary>
/// Renders the metrics page once, in the background, as soon as the node has started. The first render JITs the
/// OpenTelemetry exporter: about 100 ms of CPU, which on a busy core stalls every connection for that long (measured:
/// a first scrape inside a fixed-rate window took the p99.9 from 9 to over 100 ms, BENCHMARKS.md). Rendered here, the
/// cost lands before the first client rather than on the first scrape, whenever the scraper comes.
/// </summary>
/// <remarks>
/// It invokes the endpoint's own request delegate with an in-process request, so it runs exactly what a scrape runs,
/// without a socket or the server's address. A failure is logged and changes nothing: the first scrape then pays.
/// </remarks>
internal sealed partial class MetricsWarmUp(EndpointDataSource endpoints, IServiceProvider services, IHostApplicationLifetime lifetime,
    ILogger<MetricsWarmUp> logger) : BackgroundService
{
    /// <summary>What a Prometheus server sends as <c>Accept</c>: OpenMetrics first, the text format as the fallback.</summary>
    private const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopped before it started
            }
        }

        var endpoint = endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText == NodeTelemetry.MetricsPath);
        if (endpoint?.RequestDelegate is not { } render)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = stoppingToken };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = NodeTelemetry.MetricsPath;
        context.Request.Headers.Accept = PrometheusAccept; // the format a Prometheus server asks for, so its path is the one warmed
        context.Response.Body = Stream.Null;
        try
        {
            await render(context).ConfigureAwait(false);
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                Log.Warmed(logger, NodeTelemetry.MetricsPath, clock.Elapsed.TotalMilliseconds);
            }
            else
            {
                Log.NotRendered(logger, NodeTelemetry.MetricsPath, context.Response.StatusCode);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping.
        }
        catch (Exception ex)
        {
            Log.Failed(logger, NodeTelemetry.MetricsPath, ex); // never the node's end: the first scrape pays instead
        }
    }

    private static partial class Log
    {
        [LoggerMessage(601, LogLevel.Debug, "Rendered {Path} once at start ({Milliseconds:F0} ms), so the first scrape does not pay the exporter's JIT")]
        public static partial void Warmed(ILogger logger, string path, double milliseconds);

        [LoggerMessage(602, LogLevel.Warning, "Could not render {Path} at start; the first scrape will be slower")]
        public static partial void Failed(ILogger logger, string path, Exception exception);

        [LoggerMessage(603, LogLevel.Warning, "Rendering {Path} at start answered {Status}; the first scrape will be slower")]
        public static partial void NotRendered(ILogger logger, string path, int status);
    }
}
