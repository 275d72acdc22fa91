using System.Net;

namespace ActorChat.Gateway.Tests;

/// <summary>Waits on a node's <c>/readyz</c>, which follows the channel layer's health and so changes only after a ping.</summary>
internal static class Readiness
{
    /// <summary>
    /// Asks <c>/readyz</c> until it answers <paramref name="expected"/>, for up to <paramref name="within"/> (10 s by default).
    /// Readiness is a ping to the layer (every master, with its own timeout), so a loaded test host may need more than the
    /// first request, and a fault shows only at the next ping.
    /// </summary>
    public static Task ReadyzBecomesAsync(this HttpClient http, HttpStatusCode expected, TimeSpan? within = null) =>
        Eventually.AssertAsync(async () => Assert.Equal(expected, (await http.GetAsync("/readyz")).StatusCode), within ?? TimeSpan.FromSeconds(10));
}
