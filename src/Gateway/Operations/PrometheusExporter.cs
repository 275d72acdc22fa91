using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ActorChat.Gateway.Operations;

/// <summary>
/// Renders every instrument of this node's <c>ActorChat.*</c> meters in the Prometheus text format at scrape time.
/// All of them are observable, so a scrape asks each for its current value; nothing is kept between scrapes.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Series> _series = new(StringComparer.Ordinal);

    /// <summary>Starts listening to the ActorChat meters this node's <paramref name="meterFactory"/> created.</summary>
    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("ActorChat.", StringComparison.Ordinal) && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The current values as Prometheus text.</summary>
    public string Scrape()
    {
        lock (_gate)
        {
            _series.Clear();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            // Process-wide, for allocation-per-delivery figures: bytes the GC has handed out since the node started.
            text.Append("# HELP actorchat_process_allocated_bytes Bytes allocated by this process since start.\n")
                .Append("# TYPE actorchat_process_allocated_bytes counter\n")
                .Append("actorchat_process_allocated_bytes ").Append(GC.GetTotalAllocatedBytes(precise: false).ToString(CultureInfo.InvariantCulture)).Append('\n');
            foreach (var (name, series) in _series)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(series.Help).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(series.Type).Append('\n');
                foreach (var (labels, value) in series.Values)
                {
                    text.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_series.TryGetValue(instrument.Name, out var series))
        {
            var type = instrument is ObservableCounter<long> or ObservableCounter<int> ? "counter" : "gauge";
            _series[instrument.Name] = series = new Series(type, instrument.Description ?? instrument.Name);
        }

        var labels = new StringBuilder();
        foreach (var (key, tag) in tags)
        {
            labels.Append(labels.Length == 0 ? "{" : ",").Append(key).Append("=\"").Append(tag?.ToString()?.Replace("\"", "\\\"")).Append('"');
        }

        if (labels.Length > 0)
        {
            labels.Append('}');
        }

        var key2 = labels.ToString();
        series.Values[key2] = series.Values.GetValueOrDefault(key2) + value; // several layers or nodes in one process add up
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private sealed record Series(string Type, string Help)
    {
        public SortedDictionary<string, long> Values { get; } = new(StringComparer.Ordinal);
    }
}
