using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tests.Batching;
using Orleans;
using Orleans.Runtime;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>
/// One query reads every state of some grain types in one spread of a tenant (what a key bucket
/// loads on activation): exactly those, with keys that needed escaping given back as they were,
/// and etags that the next conditional write accepts. One request writes several of them (what a
/// key bucket does to bind an import's keys ahead), all or none.
/// </summary>
public sealed class SpreadReadTests : IAsyncLifetime
{
    private static readonly GrainType Upn = GrainType.Create("upnindex");
    private static readonly GrainType External = GrainType.Create("externalidindex");
    private readonly RequestCounter _requests = new();
    private TableGrainStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await StorageTestServices.NewGrainStorageAsync(_requests);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Reads_the_states_of_the_asked_types_in_one_spread_of_one_tenant_in_one_request()
    {
        const string spread = "1c4";
        var upns = InSpread(spread, Upn, "contoso", i => $"u{i}@contoso.com", 3);
        var externals = InSpread(spread, External, "contoso", i => $"user/E/{i}%~#?\\x", 2);
        var others = new[]
        {
            InSpread(spread, GrainType.Create("user"), "contoso", i => Guid.NewGuid().ToString(), 1)[0], // another type, same partition
            InSpread(spread, Upn, "contoso2", i => $"u{i}@contoso2.com", 1)[0], // another tenant
            InSpread("1c5", Upn, "contoso", i => $"v{i}@contoso.com", 1)[0], // another spread
        };
        foreach (var grain in upns.Concat(externals).Concat(others))
        {
            await _storage.WriteStateAsync("state", grain, new GrainState<string>(grain.ToString()));
        }

        // Another state name of an asked type in the spread: not asked for.
        await _storage.WriteStateAsync("other", upns[0], new GrainState<string>("other"));

        var before = _requests.Reads;
        var found = await _storage.ReadSpreadAsync<string>("contoso", spread, [(Upn, "state"), (External, "state")]);

        Assert.Equal(1, _requests.Reads - before);
        Assert.Equal(upns.Concat(externals).Select(g => g.ToString()).Order(), found.Select(f => f.GrainId.ToString()).Order());
        Assert.All(found, f => Assert.Equal(f.GrainId.ToString(), f.State));

        // The etag read is the row's: a write conditional on it lands.
        var first = found[0];
        await _storage.WriteStateAsync("state", first.GrainId, new GrainState<string>("changed", first.ETag) { RecordExists = true });
        Assert.Empty(await _storage.ReadSpreadAsync<string>("contoso", "abc", [(Upn, "state")]));
    }

    [Fact]
    public async Task Writes_states_of_one_spread_in_one_request_all_or_none_each_on_its_etag()
    {
        const string spread = "2d7";
        var grains = InSpread(spread, Upn, "fabrikam", i => $"w{i}@fabrikam.com", 5);
        var existing = new GrainState<string>("old");
        await _storage.WriteStateAsync("state", grains[0], existing);
        var states = grains.Select((g, i) => (g, "state", (IGrainState<string>)(i == 0 ? new GrainState<string>("new 0", existing.ETag) { RecordExists = true } : new GrainState<string>($"new {i}")))).ToList();

        var before = _requests.Writes;
        await _storage.WriteSpreadAsync("fabrikam", spread, states);

        Assert.Equal(1, _requests.Writes - before);
        var found = (await _storage.ReadSpreadAsync<string>("fabrikam", spread, [(Upn, "state")])).ToDictionary(f => f.GrainId);
        Assert.Equal(grains.Select((_, i) => $"new {i}"), grains.Select(g => found[g].State));
        Assert.All(states, w => Assert.Equal(found[w.g].ETag, w.Item3.ETag));

        // One stale etag (the first write's) fails them all: nothing of the second write lands.
        var stale = grains.Select((g, i) => (g, "state", (IGrainState<string>)new GrainState<string>($"newer {i}", i == 0 ? existing.ETag : found[g].ETag) { RecordExists = true })).ToList();
        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => _storage.WriteSpreadAsync("fabrikam", spread, stale));
        Assert.All(await _storage.ReadSpreadAsync<string>("fabrikam", spread, [(Upn, "state")]), f => Assert.StartsWith("new ", f.State));

        // A state stored in another spread is refused before anything is sent.
        var elsewhere = InSpread("2d8", Upn, "fabrikam", i => $"x{i}@fabrikam.com", 1)[0];
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.WriteSpreadAsync("fabrikam", spread, [(elsewhere, "state", (IGrainState<string>)new GrainState<string>("x"))]));
    }

    /// <summary><paramref name="count"/> grains of the type and tenant whose state rows land in <paramref name="spread"/>.</summary>
    private List<GrainId> InSpread(string spread, GrainType type, string tenant, Func<int, string> local, int count) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => GrainId.Create(type, $"{tenant}/{local(i)}"))
            .Where(g => _storage.Keys("state", g).PartitionKey.EndsWith("~" + spread, StringComparison.Ordinal)).Take(count)];
}
