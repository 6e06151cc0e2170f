using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DirectoryService.Storage;

/// <summary>
/// What storage does for each API operation (source and meter <see cref="Name"/>): every call to a
/// store is counted by the operation that caused it — the <c>directory.operation</c> baggage a door (<see cref="Abstractions.Common.ApiOperation"/>)
/// sets on the request's activity, which Orleans carries through grain calls — and traced as a span
/// under that request. Calls no request caused (timers, warming) count as <c>background</c>. A call
/// group-committed with others is still counted once, as its caller made it.
/// </summary>
public static class StorageTelemetry
{
    public const string Name = "DirectoryService.Storage";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>(
        "directory.storage.calls", description: "Calls to storage, by the API operation that caused them, the store (grain-state, rows, audit) and the call (read, query, write)");

    /// <summary>Counts a storage call and starts its span (dispose it when the call is done).</summary>
    public static Activity? Start(string store, string call)
    {
        var operation = Abstractions.Common.ApiOperation.Current;
        Calls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("store", store), new KeyValuePair<string, object?>("call", call));
        return Source.StartActivity($"{store} {call}", ActivityKind.Client)?.SetTag("directory.operation", operation);
    }
}
