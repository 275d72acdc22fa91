using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ActorChat.Consumers.Hosting;

/// <summary>The one way a WebSocket handshake is refused, before or after a consumer started: counted, logged, answered.</summary>
internal static class HandshakeRefusal
{
    /// <summary>
    /// Counts and logs the refusal and answers <paramref name="status"/> if the response has not started;
    /// 0 means the client is gone and gets no answer.
    /// </summary>
    public static void Refuse(HttpContext http, BridgeMetrics metrics, ILogger logger, string route, int status, string reason)
    {
        metrics.Refused();
        BridgeLog.HandshakeRefused(logger, route, status, reason);
        if (status != 0 && !http.Response.HasStarted)
        {
            http.Response.StatusCode = status;
        }
    }
}
