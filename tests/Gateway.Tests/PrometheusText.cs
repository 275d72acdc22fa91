using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorChat.Gateway.Tests;

/// <summary>Reads a <c>/metrics</c> page: each series by its name and labels, without OpenTelemetry's <c>otel_scope_*</c> labels.</summary>
internal static partial class PrometheusText
{
    /// <summary>Every series on the page (each must be there once), keyed like <c>actorchat_layer_drops_total{reason="full"}</c>.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var key = ScopeLabel().Replace(line[..space], "").Replace("{}", "");
            // A series twice means two meters of one name on the page (another node's in this process): fail, don't pick one.
            Assert.True(series.TryAdd(key, double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)), $"{key} is on the page twice:\n{text}");
        }

        return series;
    }

    /// <summary>Reads a node's <c>/metrics</c>.</summary>
    public static async Task<Dictionary<string, double>> ScrapeAsync(this HttpClient http) => Parse(await http.GetStringAsync("/metrics"));

    // An otel_scope_name="…" (or _version) label and the comma after it, or before it when it is the last label.
    [GeneratedRegex("""otel_scope_\w+="[^"]*",?|,otel_scope_\w+="[^"]*"(?=})""")]
    private static partial Regex ScopeLabel();
}
