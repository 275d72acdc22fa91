using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorChat.Gateway.Operations;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> as ASP.NET Core health check endpoints. <c>/healthz</c> runs the liveness checks (the
/// actor system runs); <c>/readyz</c> runs the readiness checks (the channel layer reaches its engine, the node is not
/// stopping, on the cluster layer the node is Up and reachable) and every check an application added without a tag.
/// 200 with <c>ok</c> or <c>ready</c>, else 503 with one line per failing check.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps both endpoints.</summary>
    public static void MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", Options(check => check.Tags.Contains(ActorChatHealthChecks.Live), "ok"));
        endpoints.MapHealthChecks("/readyz", Options(check => check.Tags.Count == 0 || check.Tags.Contains(ActorChatHealthChecks.Ready), "ready"));
    }

    private static HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate, string healthy) => new()
    {
        Predicate = predicate,
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            if (report.Status == HealthStatus.Healthy)
            {
                return context.Response.WriteAsync(healthy + "\n");
            }

            var failing = report.Entries.Where(entry => entry.Value.Status != HealthStatus.Healthy)
                .Select(entry => $"{entry.Key}: {entry.Value.Description ?? entry.Value.Exception?.Message ?? entry.Value.Status.ToString()}\n");
            return context.Response.WriteAsync(string.Concat(failing));
        },
    };
}
