using System.Globalization;
using Akka.Configuration;

namespace ActorChat.TestKit;

/// <summary>Timeouts shared by every communicator and, through <c>akka.test.timefactor</c>, every Akka expectation.</summary>
public static class TestTimeouts
{
    /// <summary>The environment variable that multiplies every default timeout, for slow machines (for example <c>3</c>).</summary>
    public const string TimeoutFactorVariable = "ACTORCHAT_TEST_TIMEOUT_FACTOR";

    /// <summary>The factor from <see cref="TimeoutFactorVariable"/>; 1 when unset.</summary>
    public static double TimeoutFactor { get; } = ReadFactor();

    /// <summary>How long an expectation waits when no timeout is given: 3 seconds times <see cref="TimeoutFactor"/>.</summary>
    public static TimeSpan DefaultTimeout { get; } = Dilated(TimeSpan.FromSeconds(3));

    /// <summary>Scales <paramref name="duration"/> by <see cref="TimeoutFactor"/>.</summary>
    public static TimeSpan Dilated(TimeSpan duration) => duration * TimeoutFactor;

    /// <summary>
    /// The actor system configuration a <see cref="ConsumerTestKit"/> runs with, over <paramref name="config"/>: Akka's
    /// expectations scaled by <see cref="TimeoutFactor"/>, and the <see cref="UnexpectedErrorListener"/> as the logger.
    /// </summary>
    public static Config ActorSystemConfig(Config? config = null)
    {
        var ours = ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture, $"""
            akka.test.timefactor = {TimeoutFactor}
            akka.test.single-expect-default = 3s
            akka.loggers = ["{typeof(UnexpectedErrorListener).FullName}, {typeof(UnexpectedErrorListener).Assembly.GetName().Name}"]
            akka.log-dead-letters-during-shutdown = off
            """));
        return config is null ? ours : config.WithFallback(ours);
    }

    /// <summary>A duration as a test failure message shows it: <c>1.5 s</c> or <c>250 ms</c>.</summary>
    public static string Format(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.###} s" : $"{span.TotalMilliseconds:0} ms";

    private static double ReadFactor()
    {
        var text = Environment.GetEnvironmentVariable(TimeoutFactorVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 1;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) || factor <= 0)
        {
            throw new InvalidOperationException($"{TimeoutFactorVariable}='{text}' is not a positive number such as 2 or 2.5.");
        }

        return factor;
    }
}
