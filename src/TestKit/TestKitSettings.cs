using System.Globalization;

namespace ActorChat.TestKit;

/// <summary>Timeouts shared by every probe and communicator.</summary>
public static class TestKitSettings
{
    /// <summary>The environment variable that multiplies every default timeout, for slow machines (for example <c>3</c>).</summary>
    public const string TimeoutFactorVariable = "ACTORCHAT_TEST_TIMEOUT_FACTOR";

    /// <summary>The factor from <see cref="TimeoutFactorVariable"/>; 1 when unset.</summary>
    public static double TimeoutFactor { get; } = ReadFactor();

    /// <summary>How long an expectation waits when no timeout is given: 3 seconds times <see cref="TimeoutFactor"/>.</summary>
    public static TimeSpan DefaultTimeout { get; } = Dilated(TimeSpan.FromSeconds(3));

    /// <summary>Scales <paramref name="duration"/> by <see cref="TimeoutFactor"/>.</summary>
    public static TimeSpan Dilated(TimeSpan duration) => duration * TimeoutFactor;

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
