using System.Globalization;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Parses configuration values the HOCON way, whatever source they came from: durations such as
/// <c>60s</c>, <c>500ms</c>, <c>2m</c> (a bare number is milliseconds) and sizes such as <c>1MiB</c>,
/// <c>64K</c>, <c>1MB</c> (a bare number is bytes).
/// </summary>
public static class ConfigValues
{
    private static readonly (string Unit, double Ticks)[] s_durationUnits =
    [
        ("ns", 0.01), ("us", 10), ("ms", TimeSpan.TicksPerMillisecond), ("milliseconds", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("seconds", TimeSpan.TicksPerSecond), ("second", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute), ("minutes", TimeSpan.TicksPerMinute), ("minute", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour), ("hours", TimeSpan.TicksPerHour), ("hour", TimeSpan.TicksPerHour),
        ("d", TimeSpan.TicksPerDay), ("days", TimeSpan.TicksPerDay), ("day", TimeSpan.TicksPerDay),
    ];

    private static readonly (string Unit, long Bytes)[] s_sizeUnits =
    [
        ("B", 1), ("K", 1024), ("KiB", 1024), ("KB", 1000), ("k", 1024), ("kB", 1000),
        ("M", 1024 * 1024), ("MiB", 1024 * 1024), ("MB", 1_000_000), ("m", 1024 * 1024),
        ("G", 1024 * 1024 * 1024), ("GiB", 1024 * 1024 * 1024), ("GB", 1_000_000_000), ("g", 1024 * 1024 * 1024),
    ];

    /// <summary>The expected form of a duration, for error messages.</summary>
    public const string DurationForm = "a duration such as 60s, 500ms or 2m (a bare number is milliseconds)";

    /// <summary>The expected form of a size, for error messages.</summary>
    public const string SizeForm = "a whole number or a size such as 1MiB, 64K or 1MB";

    /// <summary>Parses a duration, or a <c>hh:mm:ss</c> time span.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':'))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        }

        var (number, unit) = Split(text);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || double.IsNaN(amount) || double.IsInfinity(amount))
        {
            return false;
        }

        double ticksPerUnit = TimeSpan.TicksPerMillisecond;
        if (unit.Length > 0)
        {
            var match = Array.FindIndex(s_durationUnits, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            ticksPerUnit = s_durationUnits[match].Ticks;
        }

        var ticks = amount * ticksPerUnit;
        if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Parses a size in bytes that fits an <see cref="int"/>.</summary>
    public static bool TryParseSize(string? text, out int value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var (number, unit) = Split(text.Trim());
        if (!long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        long multiplier = 1;
        if (unit.Length > 0)
        {
            var match = Array.FindIndex(s_sizeUnits, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            multiplier = s_sizeUnits[match].Bytes;
        }

        var bytes = (Int128)amount * multiplier;
        if (bytes > int.MaxValue || bytes < int.MinValue)
        {
            return false;
        }

        value = (int)bytes;
        return true;
    }

    /// <summary>Parses true/false, yes/no, on/off.</summary>
    public static bool TryParseBool(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                value = true;
                return true;
            case "false" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static (string Number, string Unit) Split(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '-' or '+' or 'e' && end > 0 && char.IsAsciiDigit(text[end - 1])))
        {
            end++;
        }

        // 'e' only counts as an exponent when digits follow; "5e" would otherwise swallow a unit.
        if (end > 0 && text[end - 1] == 'e')
        {
            end--;
        }

        return (text[..end], text[end..].Trim());
    }
}
