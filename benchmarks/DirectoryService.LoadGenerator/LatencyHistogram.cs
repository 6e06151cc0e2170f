namespace DirectoryService.LoadGenerator;

/// <summary>A lock-free latency histogram with ~1% resolution from 10 µs to 100 s (log-spaced buckets).</summary>
public sealed class LatencyHistogram
{
    private const double Base = 1.02;
    private const double MinMicros = 10;
    private readonly long[] _buckets = new long[820];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(latency.TotalMicroseconds, MinMicros);
        var index = Math.Min((int)(Math.Log(micros / MinMicros) / Math.Log(Base)), _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Increment(ref _count);
    }

    public TimeSpan Percentile(double fraction)
    {
        var target = (long)Math.Ceiling(Count * fraction);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= Math.Max(target, 1))
            {
                return TimeSpan.FromMicroseconds(Math.Round(MinMicros * Math.Pow(Base, i + 1), 1));
            }
        }

        return TimeSpan.Zero;
    }
}
