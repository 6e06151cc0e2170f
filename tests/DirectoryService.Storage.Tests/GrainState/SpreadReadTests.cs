using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tests.Batching;
using Orleans;
using Orleans.Runtime;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>
/// One query reads every state of some grain types in one spread of a tenant (what a key bucket
/// loads on activation): exactly those, with keys that needed escaping given back as they were,
/// and etags that the next conditional write accepts.
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

    /// <summary><paramref name="count"/> grains of the type and tenant whose state rows land in <paramref name="spread"/>.</summary>
    private List<GrainId> InSpread(string spread, GrainType type, string tenant, Func<int, string> local, int count) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => GrainId.Create(type, $"{tenant}/{local(i)}"))
            .Where(g => _storage.Keys("state", g).PartitionKey.EndsWith("~" + spread, StringComparison.Ordinal)).Take(count)];
}
