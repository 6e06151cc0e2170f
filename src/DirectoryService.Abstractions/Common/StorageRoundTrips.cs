using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DirectoryService.Abstractions.Common;

/// <summary>
/// How many storage round trips one API call waited for one after another — what its latency grows
/// by per millisecond of storage latency, which is what carries over to Azure. A door begins one per
/// unary call (<see cref="Begin"/>); every storage call made for it on this silo reports its start and
/// end (<see cref="Track"/>); when the call is answered, the longest chain of those calls in which each
/// began after the one before had answered is recorded as the histogram
/// <c>directory.storage.round_trips</c>, tagged with the operation (meter <see cref="MeterName"/>).
/// Calls that overlap count once, so a write of its rows beside its change notice is one round trip,
/// not two. The chain is found from times alone: it is an upper bound of the calls that depended on
/// each other, exact when nothing but storage is waited for between them.
/// </summary>
/// <remarks>
/// The call is found by an id carried in Orleans's <see cref="RequestContext"/>, which travels with
/// every grain call it makes and is also current while a grain it calls is activated (so the
/// activation's state read is in the chain), looked up in this silo's table of open calls: storage
/// calls that grains on another silo make for it are counted by <c>directory.storage.calls</c> there,
/// but are not in this chain.
/// </remarks>
public sealed class StorageRoundTrips : IDisposable
{
    public const string MeterName = "DirectoryService.Storage";

    private const string Key = "directory.call";

    /// <summary>Most storage calls kept per call: an API call makes a few dozen at most; beyond this the chain is not recorded.</summary>
    private const int MaxCalls = 4096;

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> Trips = Meter.CreateHistogram(
        "directory.storage.round_trips", unit: "{round_trip}",
        description: "Per API call, the storage calls it waited for one after another (the longest chain of calls each begun after the one before answered), by operation",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24, 32] });

    private static readonly ConcurrentDictionary<string, StorageRoundTrips> Open = new(StringComparer.Ordinal);

    private readonly string _id;
    private readonly string _operation;
    private readonly List<(long Start, long End)> _calls = [];
    private bool _overflowed;

    private StorageRoundTrips(string id, string operation)
    {
        (_id, _operation) = (id, operation);
    }

    /// <summary>
    /// Begins counting for the current request: call it before its first storage call, in the flow
    /// that makes the request's grain calls; dispose it when the call is answered.
    /// </summary>
    public static StorageRoundTrips Begin(string operation)
    {
        var trips = new StorageRoundTrips(Guid.NewGuid().ToString("N"), operation);
        Open[trips._id] = trips;
        RequestContext.Set(Key, trips._id);
        return trips;
    }

    /// <summary>The open call the current work belongs to on this silo, if any; report a storage call to it with <see cref="Track"/>.</summary>
    public static StorageRoundTrips? Current =>
        RequestContext.Get(Key) is string id && Open.TryGetValue(id, out var trips) ? trips : null;

    /// <summary>Reports one storage call of this API call, by its start and end (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Track(long start, long end)
    {
        lock (_calls)
        {
            if (_calls.Count < MaxCalls)
            {
                _calls.Add((start, end));
            }
            else
            {
                _overflowed = true;
            }
        }
    }

    /// <summary>The longest chain of calls each begun after the previous one answered: the most intervals that do not overlap.</summary>
    public static int LongestChain(IReadOnlyList<(long Start, long End)> calls)
    {
        if (calls.Count <= 1)
        {
            // Most calls (warm reads) make none: no sort on the hot path.
            return calls.Count;
        }

        var chain = 0;
        var free = long.MinValue;
        foreach (var (start, end) in calls.OrderBy(c => c.End))
        {
            if (start >= free)
            {
                chain++;
                free = end;
            }
        }

        return chain;
    }

    public void Dispose()
    {
        Open.TryRemove(_id, out _);
        lock (_calls)
        {
            if (!_overflowed)
            {
                Trips.Record(LongestChain(_calls), new KeyValuePair<string, object?>("operation", _operation));
            }
        }
    }
}
