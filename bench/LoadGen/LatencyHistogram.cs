namespace ActorChat.LoadGen;

/// <summary>
/// Latencies in microseconds, bucketed log-linearly (64 linear steps per power of two), so percentiles are
/// within about 1.6% and recording is one array increment. One per client; merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[SubBuckets * 48];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        _counts[Index(micros)]++;
        Count++;
        if (micros > Max)
        {
            Max = micros;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    public long Percentile(double p)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(p / 100 * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    /// <summary>Values below 64 have a bucket each; above, each power of two [2^p, 2^(p+1)) has 64 equal buckets.</summary>
    private static int Index(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var power = 63 - (int)long.LeadingZeroCount(value); // 2^power <= value, power >= 6
        var block = power - 5;
        var step = (int)(value >> (power - 6)) - SubBuckets;
        return Math.Min(block * SubBuckets + step, SubBuckets * 48 - 1);
    }

    private static long UpperBound(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var block = index / SubBuckets;
        var step = index % SubBuckets;
        var shift = block - 1;
        return ((long)(SubBuckets + step) << shift) + (1L << shift) - 1;
    }
}
