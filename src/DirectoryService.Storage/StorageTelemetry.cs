using System.Diagnostics;
using System.Diagnostics.Metrics;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Storage;

/// <summary>
/// What storage does for each API operation (source and meter <see cref="Name"/>): every call to a
/// store is counted by the operation that caused it — the <c>directory.operation</c> baggage a door (<see cref="ApiOperation"/>)
/// sets on the request's activity, which Orleans carries through grain calls — traced as a span
/// under that request, and reported to the request's <see cref="StorageRoundTrips"/> on this silo.
/// Calls no request caused (timers, warming) count as <c>background</c>. A call group-committed with
/// others is still counted once, as its caller made it.
/// </summary>
public static class StorageTelemetry
{
    public const string Name = StorageRoundTrips.MeterName;

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>(
        "directory.storage.calls", description: "Calls to storage, by the API operation that caused them, the store (grain-state, rows, audit) and the call (read, query, write)");

    private static readonly Histogram<double> BulkWaits = Meter.CreateHistogram<double>(
        "directory.storage.bulk_wait", unit: "s", description: "Time a request of bulk work (an import) waited in the silo for a turn on the connections to storage (Directory:Storage:BulkConnections)");

    /// <summary>Records how long a bulk request waited for its turn (<see cref="Tables.BulkLane"/>).</summary>
    public static void BulkWaited(TimeSpan wait) => BulkWaits.Record(wait.TotalSeconds);

    /// <summary>Counts a storage call and starts its span; dispose the scope when the call is done.</summary>
    public static Scope Start(string store, string call)
    {
        var operation = ApiOperation.Current;
        Calls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("store", store), new KeyValuePair<string, object?>("call", call));
        var span = Source.StartActivity($"{store} {call}", ActivityKind.Client)?.SetTag("directory.operation", operation);
        return new Scope(span, StorageRoundTrips.Current, Stopwatch.GetTimestamp());
    }

    /// <summary>One storage call in progress: its span, and the API call it is reported to.</summary>
    public readonly struct Scope(Activity? span, StorageRoundTrips? trips, long start) : IDisposable
    {
        public void Dispose()
        {
            trips?.Track(start, Stopwatch.GetTimestamp());
            span?.Dispose();
        }
    }
}
