using System.Diagnostics;
using System.Net.WebSockets;
using ActorChat.Consumers;

namespace ActorChat.Gateway.Tests;

/// <summary>SIGTERM to a real node process: 503 for new upgrades, 1001 for open sockets, and an exit on time.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_refuses_new_upgrades_closes_sockets_with_1001_and_exits_within_the_shutdown_timeout()
    {
        // A client that never answers the close keeps the drain waiting: the node must give up on it after 2 s.
        using var node = NodeProcess.Start("Bridge:ShutdownTimeout=2s", "Bridge:CloseTimeout=30s",
            "Logging:LogLevel:ActorChat=Information", "Logging:LogLevel:Akka=Information");
        await using var polite = await node.ConnectWhenUpAsync("/ws/chat/lobby/");
        await using var stubborn = await node.ConnectWhenUpAsync("/ws/chat/lobby/");
        await polite.SendJsonAsync(new { message = "before" });
        Assert.Equal("before", (await polite.ReceiveJsonAsync()).GetProperty("message").GetString());

        var stopping = Stopwatch.StartNew();
        node.Terminate();
        Assert.Equal(CloseCodes.GoingAway, await polite.ReceiveCloseAsync(TimeSpan.FromSeconds(5)));

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(node.Ws("/ws/chat/lobby/")));
        Assert.Contains("503", refused.Message);

        await node.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, node.Process.ExitCode);
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2 + 3)); // the timeout, then the drops and Akka's shutdown

        // In that order: the sockets drained (the stubborn one dropped), then CoordinatedShutdown; and no error on the way.
        node.Process.WaitForExit(); // the output handlers have run
        var lines = node.Output.ToList();
        var drained = lines.FindIndex(l => l.Contains("Shutdown: closing 2 WebSocket connections with 1001"));
        var dropped = lines.FindIndex(l => l.Contains("still open after") && l.Contains("dropping them"));
        var akkaStops = lines.FindIndex(l => l.Contains("CoordinatedShutdown invoked"));
        Assert.True(drained >= 0 && dropped > drained && akkaStops > dropped, "expected drain, drop, CoordinatedShutdown in order:\n" + string.Join("\n", lines));
        Assert.DoesNotContain(lines, l => l.StartsWith("fail:") || l.StartsWith("crit:"));
    }
}
