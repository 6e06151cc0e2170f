using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>
/// Each unary call records how many storage round trips it waited for one after another
/// (<c>directory.storage.round_trips</c>), so the cost that carries over to Azure — latency per
/// millisecond of storage latency — can be read off a running silo.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class StorageRoundTripsTests(SiloFixture silo)
{
    [Fact]
    public void TheChain_CountsCallsThatOverlap_Once()
    {
        Assert.Equal(0, StorageRoundTrips.LongestChain([]));
        Assert.Equal(3, StorageRoundTrips.LongestChain([(0, 10), (10, 20), (25, 30)]));

        // Two writes side by side, then one after both: two round trips.
        Assert.Equal(2, StorageRoundTrips.LongestChain([(0, 10), (2, 12), (12, 15)]));

        // A long call beside a chain of three short ones: the chain.
        Assert.Equal(3, StorageRoundTrips.LongestChain([(0, 100), (0, 10), (11, 20), (21, 30)]));
    }

    [Fact]
    public async Task ACreate_WaitsForSeveralRoundTrips_AWarmRead_ForNone()
    {
        using var trips = new RoundTripRecorder();
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync("round-trips");
        await t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id });

        // Audit record, activation read, state and rows, audit settlement: at least four, one after
        // another. (Other collections' silos run in this process too: every create counts, and some read was warm.)
        var creates = trips.Under("/directory.v1.Groups/CreateGroup");
        Assert.NotEmpty(creates);
        Assert.All(creates, create => Assert.InRange(create, 4, 16));
        Assert.Contains(0, trips.Under("/directory.v1.Groups/GetGroup"));
    }

    /// <summary>Records the round trips of each call, by operation.</summary>
    private sealed class RoundTripRecorder : IDisposable
    {
        private readonly ConcurrentQueue<(string Operation, int Trips)> _calls = new();
        private readonly MeterListener _listener = new();

        public RoundTripRecorder()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == StorageRoundTrips.MeterName && instrument.Name == "directory.storage.round_trips")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "operation")
                    {
                        _calls.Enqueue((tag.Value?.ToString() ?? "", value));
                    }
                }
            });
            _listener.Start();
        }

        public List<int> Under(string operation) => [.. _calls.Where(c => c.Operation == operation).Select(c => c.Trips)];

        public void Dispose() => _listener.Dispose();
    }
}
