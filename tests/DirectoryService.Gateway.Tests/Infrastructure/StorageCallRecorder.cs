using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DirectoryService.Storage;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>Records every storage call the silo counts (<c>directory.storage.calls</c>) while it lives: the API operation that caused it, the store and the call.</summary>
public sealed class StorageCallRecorder : IDisposable
{
    private readonly ConcurrentQueue<(string Operation, string Store, string Call)> _calls = new();
    private readonly MeterListener _listener = new();

    public StorageCallRecorder()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var named = new Dictionary<string, string>();
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value?.ToString() ?? "";
            }

            _calls.Enqueue((named.GetValueOrDefault("operation", ""), named.GetValueOrDefault("store", ""), named.GetValueOrDefault("call", "")));
        });
        _listener.Start();
    }

    /// <summary>The calls made under an operation (its full gRPC method name).</summary>
    public List<(string Operation, string Store, string Call)> Under(string operation) => [.. _calls.Where(c => c.Operation == operation)];

    public void Dispose() => _listener.Dispose();
}
