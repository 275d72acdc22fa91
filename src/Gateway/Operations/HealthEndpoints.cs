using ActorChat.ChannelLayer;

namespace ActorChat.Gateway.Operations;

/// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: the layer is reachable and the node is not shutting down.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps both endpoints.</summary>
    public static void MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", async (IChannelLayer layer, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return Results.Text("stopping\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var reachable = layer is not IChannelLayerHealth health || await health.IsReachableAsync(cancellationToken);
            return reachable
                ? Results.Text("ready\n")
                : Results.Text("channel layer unreachable\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
