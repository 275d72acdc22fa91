using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ActorChat.Gateway.Operations;

/// <summary>
/// The node's metrics through OpenTelemetry: ActorChat's meters, the .NET runtime's and ASP.NET Core's, scraped at
/// <c>/metrics</c> by the Prometheus exporter, and pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class NodeTelemetry
{
    /// <summary>Every ActorChat meter (<c>ActorChat.Bridge</c>, <c>ActorChat.ChannelLayer</c>, <c>ActorChat.Cluster</c>, <c>ActorChat.Redis</c>).</summary>
    public const string ActorChatMeters = ActorChatMeterPrefix + "*";

    /// <summary>What every ActorChat meter's name starts with.</summary>
    private const string ActorChatMeterPrefix = "ActorChat.";

    /// <summary>ASP.NET Core's meters the node exports: requests, Kestrel's connections, SignalR-style connections, routing, errors, rate limiting.</summary>
    public static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>Where the Prometheus exporter serves the node's metrics.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The standard variable (or configuration key) that switches the OTLP exporter on.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds the meter provider for a node named <paramref name="nodeId"/>.</summary>
    public static void AddNodeTelemetry(this IServiceCollection services, IConfiguration configuration, string nodeId)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("actorchat", serviceInstanceId: nodeId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ActorChatMeters)
                    .AddRuntimeInstrumentation()
                    // ASP.NET Core's own meters, listed rather than through OpenTelemetry.Instrumentation.AspNetCore: that
                    // package wraps every request in a middleware of its own (a WebSocket's request lasts the whole
                    // connection) and turns on Kestrel's memory-pool counters, which record a measurement for every
                    // block rented and returned on the socket path (1.4% of a room-of-one profile).
                    .AddMeter(AspNetCoreMeters)
                    // Exact values at every scrape: the exporter would otherwise answer from a cache for 300 ms.
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]))
                {
                    metrics.AddOtlpExporter(); // endpoint, protocol, headers and interval from the standard OTEL_* variables
                }
            });

        services.AddHostedService<MetricsWarmUp>();

        // A meter provider listens to meters by name across the whole process. Keep to this host's own meters, so two
        // nodes in one process (tests, or an app hosting two) do not mix their counts, as a process of its own would not:
        // drop another host's meters, and ActorChat meters made without any host's factory (a layer built by hand, such
        // as ConsumerTestKit's), whose series would otherwise stand on this page beside the node's own, with the same names.
        // The runtime's meter is process-wide by nature and stays.
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            var own = provider.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => instrument.Meter.Scope switch
            {
                IMeterFactory scope when !ReferenceEquals(scope, own) => MetricStreamConfiguration.Drop,
                null when instrument.Meter.Name.StartsWith(ActorChatMeterPrefix, StringComparison.Ordinal) => MetricStreamConfiguration.Drop,
                _ => null,
            });
        });
    }
}
