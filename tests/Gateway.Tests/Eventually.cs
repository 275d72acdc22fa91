using System.Diagnostics;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// Awaits a condition on a running server with a timeout, for tests that have no actor system of their own (Akka's
/// <c>AwaitAssertAsync</c> is a method of the actor TestKit). Retries every 20 ms, then rethrows the last failure.
/// </summary>
internal static class Eventually
{
    public static Task AssertAsync(Action assertion, TimeSpan? within = null) =>
        AssertAsync(() => { assertion(); return Task.CompletedTask; }, within);

    public static async Task AssertAsync(Func<Task> assertion, TimeSpan? within = null)
    {
        var limit = within ?? TestTimeouts.DefaultTimeout;
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (Stopwatch.GetElapsedTime(start) < limit)
            {
                await Task.Delay(20);
            }
        }
    }
}
