using System.Diagnostics;
using DirectoryService.LoadGenerator.Workloads;
using Grpc.Core;

namespace DirectoryService.LoadGenerator;

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers each issue one call after another, first for the
/// warm-up (not counted), then for the measured duration, or (with <c>calls</c>) until that many calls
/// are done, every one measured. Latencies go into a histogram.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(IWorkload workload, LoadOptions options, long? calls = null)
    {
        var histogram = new LatencyHistogram();
        long errors = 0;
        var measuring = calls is not null;
        var stopAt = Stopwatch.GetTimestamp() + (long)((options.Warmup + options.Duration).TotalSeconds * Stopwatch.Frequency);
        var firstError = (string?)null;
        var measuredFrom = Stopwatch.GetTimestamp();
        var issued = 0L;
        bool More(ref long iteration)
        {
            if (calls is null)
            {
                iteration++;
                return Stopwatch.GetTimestamp() < stopAt;
            }

            iteration = Interlocked.Increment(ref issued) - 1;
            return iteration < calls;
        }

        var callers = Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            var iteration = -1L;
            while (More(ref iteration))
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await workload.ExecuteAsync(worker, iteration);
                    if (Volatile.Read(ref measuring))
                    {
                        histogram.Record(Stopwatch.GetElapsedTime(start));
                    }
                }
                catch (RpcException e)
                {
                    if (Volatile.Read(ref measuring))
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.StatusCode}: {e.Status.Detail}", null);
                    }
                }
            }
        })).ToList();

        StorageFigures.Totals? before = null;
        if (calls is null)
        {
            await Task.Delay(options.Warmup);
            before = options.Metrics is null ? null : await StorageFigures.ScrapeAsync(options.Metrics);
            measuredFrom = Stopwatch.GetTimestamp();
            Volatile.Write(ref measuring, true);
        }
        else if (options.Metrics is not null)
        {
            before = await StorageFigures.ScrapeAsync(options.Metrics);
        }

        await Task.WhenAll(callers);
        var elapsed = Stopwatch.GetElapsedTime(measuredFrom);
        var storage = before is null ? null : StorageFigures.Between(before, await StorageFigures.ScrapeAsync(options.Metrics!));

        return new LoadResult(
            options.Workload,
            options.Concurrency,
            Math.Round(elapsed.TotalSeconds, 2),
            histogram.Count,
            Math.Round(histogram.Count / elapsed.TotalSeconds, 1),
            histogram.Percentile(0.50).TotalMilliseconds,
            histogram.Percentile(0.99).TotalMilliseconds,
            errors,
            firstError,
            workload.Mismatches,
            storage);
    }
}

/// <summary>What one run measured.</summary>
public sealed record LoadResult(
    string Workload, int Concurrency, double Seconds, long Operations, double OpsPerSecond,
    double P50Ms, double P99Ms, long Errors, string? FirstError, long Mismatches,
    Dictionary<string, StorageFigures.Figures>? Storage = null);
