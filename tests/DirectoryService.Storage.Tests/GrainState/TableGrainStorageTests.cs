using Azure.Data.Tables;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tables;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>The grain-storage contract, after Orleans's own provider tests, against real Azurite.</summary>
public sealed class TableGrainStorageTests : IAsyncLifetime
{
    private TableStorageOptions _options = null!;
    private TableGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _options = await StorageTestServices.NewTablesAsync();
        _storage = Create();
        await TableClients.Create(_options.ConnectionString, _options.GrainStateTable, 0).CreateIfNotExistsAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private TableGrainStorage Create(Azure.Core.Pipeline.HttpPipelinePolicy? faults = null) => new(
        "test", TableClients.Create(_options.ConnectionString, _options.GrainStateTable, 3, faults), StorageTestServices.Cluster("c").Value, StorageTestServices.Serializer, StorageTestServices.Activators, StorageTestServices.Log<TableGrainStorage>());

    private static GrainId NewGrain(string tenant = "contoso") => GrainId.Create("user", $"{tenant}/{Guid.NewGuid()}");

    private static GrainState<List<string>> State(params string[] items) => new(items.ToList());

    [Fact]
    public async Task TransientFaults_AreRetried_AndTheWriteSucceeds()
    {
        var faults = new FaultInjection { FailBeforeSending = 2 };
        var storage = Create(faults);
        var grain = NewGrain();
        var state = State("survives");

        await storage.WriteStateAsync("s", grain, state);

        Assert.Equal(0, faults.FailBeforeSending);
        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["survives"], read.State);
    }

    [Fact]
    public async Task AWriteWhoseResponseWasLost_IsDone_WhenStorageHoldsIt_AndTheNextWriteFollowsOn()
    {
        var grain = NewGrain();
        var state = State("v1");
        await _storage.WriteStateAsync("s", grain, state);

        var faults = new FaultInjection { LoseResponses = 1 };
        var storage = Create(faults);
        state.State = ["v2"];

        // The update lands, its answer is lost, the retry fails its condition: storage holds v2, so it is done.
        await storage.WriteStateAsync("s", grain, state);
        Assert.Equal(0, faults.LoseResponses);

        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["v2"], read.State);
        Assert.Equal(read.ETag, state.ETag);

        state.State = ["v3"];
        await storage.WriteStateAsync("s", grain, state);
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["v3"], read.State);
    }

    [Fact]
    public async Task AnInsertWhoseResponseWasLost_IsDone_WhenStorageHoldsIt()
    {
        var grain = NewGrain();
        var faults = new FaultInjection { LoseResponses = 1 };
        var state = State("new");
        await Create(faults).WriteStateAsync("s", grain, state);
        Assert.Equal(0, faults.LoseResponses);

        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["new"], read.State);
        Assert.Equal(read.ETag, state.ETag);
    }

    [Fact]
    public async Task AWriteWhoseResponseWasLost_IsStillAConflict_WhenAnotherWriterMovedTheStateOn()
    {
        var grain = NewGrain();
        var state = State("v1");
        await _storage.WriteStateAsync("s", grain, state);
        var stale = State();
        await _storage.ReadStateAsync("s", grain, stale);
        state.State = ["v2"];
        await _storage.WriteStateAsync("s", grain, state);

        // The stale writer's answer is lost too: what storage holds is not its state, so it is a conflict.
        stale.State = ["stale"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => Create(new FaultInjection { LoseResponses = 1 }).WriteStateAsync("s", grain, stale));
        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["v2"], read.State);
    }

    [Fact]
    public async Task Read_OfMissingState_GivesDefaultsAndNoEtag()
    {
        var state = State("stale");
        await _storage.ReadStateAsync("s", NewGrain(), state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Empty(state.State!);
    }

    [Fact]
    public async Task WriteThenRead_RoundTrips_AndEachWriteChangesTheEtag()
    {
        var grain = NewGrain();
        var state = State("a", "b");
        await _storage.WriteStateAsync("s", grain, state);
        var first = state.ETag;
        state.State!.Add("c");
        await _storage.WriteStateAsync("s", grain, state);

        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(["a", "b", "c"], read.State);
        Assert.Equal(state.ETag, read.ETag);
        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task Write_WithStaleEtag_IsRefused_AndStoredStateIsKept()
    {
        var grain = NewGrain();
        var live = State("v1");
        await _storage.WriteStateAsync("s", grain, live);
        var stale = State();
        await _storage.ReadStateAsync("s", grain, stale);
        live.State = ["v2"];
        await _storage.WriteStateAsync("s", grain, live);

        stale.State = ["from a stale activation"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", grain, stale));

        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["v2"], read.State);
    }

    [Fact]
    public async Task FirstWrite_OfTwoActivationsThatBothSawNothing_WinsAlone()
    {
        var grain = NewGrain();
        var a = State("a");
        var b = State("b");
        var results = await Task.WhenAll(Attempt(a), Attempt(b));
        Assert.Equal(1, results.Count(ok => ok));

        async Task<bool> Attempt(GrainState<List<string>> s)
        {
            try
            {
                await _storage.WriteStateAsync("s", grain, s);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task ConcurrentWrites_OnOneEtag_HaveExactlyOneWinner()
    {
        var grain = NewGrain();
        var seed = State("seed");
        await _storage.WriteStateAsync("s", grain, seed);
        var writers = Enumerable.Range(0, 8).Select(i => new GrainState<List<string>>(["w" + i]) { ETag = seed.ETag, RecordExists = true }).ToList();

        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await _storage.WriteStateAsync("s", grain, w);
                return w.State![0];
            }
            catch (InconsistentStateException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, o => o is not null);
        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal([winner!], read.State);
    }

    [Fact]
    public async Task Clear_RemovesTheState_AndIsFencedByTheEtag()
    {
        var grain = NewGrain();
        var state = State("x");
        await _storage.WriteStateAsync("s", grain, state);
        var stale = new GrainState<List<string>>(["x"]) { ETag = state.ETag, RecordExists = true };
        await _storage.WriteStateAsync("s", grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("s", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("s", grain, State()));

        await _storage.ClearStateAsync("s", grain, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var read = State();
        await _storage.ReadStateAsync("s", grain, read);
        Assert.False(read.RecordExists);

        await _storage.WriteStateAsync("s", grain, state);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task LargeState_RoundTripsAcrossChunks()
    {
        var grain = NewGrain();
        var payload = new byte[StateChunks.MaxStateBytes - 1024];
        new Random(7).NextBytes(payload);
        var state = new GrainState<byte[]>(payload);
        await _storage.WriteStateAsync("big", grain, state);

        var read = new GrainState<byte[]>([]);
        await _storage.ReadStateAsync("big", grain, read);
        Assert.Equal(payload, read.State);
    }

    [Fact]
    public async Task StateOverOneEntity_IsRefused_AndNothingIsStored()
    {
        var grain = NewGrain();
        var state = new GrainState<byte[]>(new byte[StateChunks.MaxStateBytes + 1]);
        await Assert.ThrowsAsync<GrainStateTooLargeException>(() => _storage.WriteStateAsync("big", grain, state));

        var read = new GrainState<byte[]>([]);
        await _storage.ReadStateAsync("big", grain, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task States_AreIndependentPerNameAndGrain()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("one", grain, State("1"));
        await _storage.WriteStateAsync("two", grain, State("2"));
        var other = State();
        await _storage.ReadStateAsync("one", NewGrain(), other);

        var one = State();
        await _storage.ReadStateAsync("one", grain, one);
        Assert.Equal(["1"], one.State);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task Keys_KeepATenantsRowsUnderOnePrefix_AndNeverCrossAPartitionPerRow()
    {
        var contoso = Enumerable.Range(0, 40).Select(_ => _storage.Keys("s", NewGrain("contoso"))).ToList();
        var fabrikam = _storage.Keys("s", NewGrain("fabrikam"));

        Assert.All(contoso, k => Assert.StartsWith("storage-tests~contoso~", k.PartitionKey));
        Assert.StartsWith("storage-tests~fabrikam~", fabrikam.PartitionKey);
        Assert.InRange(contoso.Select(k => k.PartitionKey).Distinct().Count(), 2, 64);

        // The keys obey Azure's rules: no '/', '\', '#' or '?'.
        Assert.All(contoso.Append(fabrikam), k => Assert.DoesNotContain(k.RowKey + k.PartitionKey, c => c is '/' or '\\' or '#' or '?'));
    }

    [Fact]
    public async Task StoredRows_StayWithinAzureEntityLimits()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("big", grain, new GrainState<byte[]>(new byte[StateChunks.MaxStateBytes - 64]));
        var (pk, rk) = _storage.Keys("big", grain);
        var table = TableClients.Create(_options.ConnectionString, _options.GrainStateTable, 0);
        IDictionary<string, object> row = (await table.GetEntityAsync<TableEntity>(pk, rk)).Value;

        Assert.True(row.Count <= 255);
        Assert.All(row.Values.OfType<byte[]>(), b => Assert.True(b.Length <= 64 * 1024));
        Assert.True(row.Values.OfType<byte[]>().Sum(b => b.Length) * 4 / 3 < 1024 * 1024);
    }
}
