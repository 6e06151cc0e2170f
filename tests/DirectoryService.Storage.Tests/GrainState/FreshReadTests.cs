using DirectoryService.Abstractions.Common;
using DirectoryService.Storage.GrainState;
using DirectoryService.Storage.Tests.Batching;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace DirectoryService.Storage.Tests.GrainState;

/// <summary>
/// The first read of an activation started by a create under a freshly minted id
/// (<see cref="FreshObjects"/>) is skipped; any later read reads, and a row that exists after all is
/// never overwritten by the state that read did not see.
/// </summary>
public sealed class FreshReadTests : IAsyncLifetime
{
    private readonly RequestCounter _requests = new();
    private TableGrainStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await StorageTestServices.NewGrainStorageAsync(_requests);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Only_the_first_read_of_the_marked_grain_is_skipped()
    {
        var grain = GrainId.Create("user", "contoso/" + Identifiers.NewPlacedObjectId(7));
        var other = GrainId.Create("user", "contoso/" + Identifiers.NewPlacedObjectId(7));
        var state = new GrainState<List<string>>([]);

        await FreshObjects.CreatingAsync(grain, async () =>
        {
            await _storage.ReadStateAsync("s", grain, state);
            Assert.Equal(0, _requests.Reads);
            Assert.Null(state.ETag);

            state.State = ["created"];
            await _storage.WriteStateAsync("s", grain, state);

            // A reload in the same call reads what is stored; so does the read of any other grain.
            var again = _requests.Reads;
            await _storage.ReadStateAsync("s", grain, state);
            Assert.Equal(["created"], state.State);
            await _storage.ReadStateAsync("s", other, new GrainState<List<string>>([]));
            Assert.Equal(again + 2, _requests.Reads);
            return true;
        });

        // Outside the marked call the same grain reads as always.
        var read = new GrainState<List<string>>([]);
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["created"], read.State);
    }

    [Fact]
    public async Task A_row_that_exists_after_all_is_not_overwritten()
    {
        var grain = GrainId.Create("user", "contoso/" + Identifiers.NewPlacedObjectId(9));
        await _storage.WriteStateAsync("s", grain, new GrainState<List<string>>(["stored"]));

        var blind = new GrainState<List<string>>([]);
        await FreshObjects.CreatingAsync(grain, async () =>
        {
            await _storage.ReadStateAsync("s", grain, blind);
            blind.State = ["blind"];
            await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", grain, blind));
            return true;
        });

        var read = new GrainState<List<string>>([]);
        await _storage.ReadStateAsync("s", grain, read);
        Assert.Equal(["stored"], read.State);
    }
}
