using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Storage;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>Storage calls are counted by the API operation that caused them, so each operation's cost in storage can be read off a running silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class StorageCallsTests(SiloFixture silo)
{
    [Fact]
    public async Task ACreate_IsCountedInStorageCalls_UnderItsOperation_ByStoreAndCall()
    {
        var calls = new ConcurrentQueue<(string Operation, string Store, string Call)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var named = new Dictionary<string, string>();
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value?.ToString() ?? "";
            }

            calls.Enqueue((named.GetValueOrDefault("operation", ""), named.GetValueOrDefault("store", ""), named.GetValueOrDefault("call", "")));
        });
        listener.Start();

        var t = await silo.NewTenantAsync();
        await t.CreateGroupAsync("counted");

        var create = calls.Where(c => c.Operation == "/directory.v1.Groups/CreateGroup").ToList();
        Assert.Equal(2, create.Count(c => c is { Store: "audit", Call: "write" }));
        Assert.Contains(create, c => c is { Store: "grain-state", Call: "write" });
        Assert.Contains(create, c => c is { Store: "rows", Call: "write" });
    }
}
