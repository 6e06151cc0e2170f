using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>Storage calls are counted by the API operation that caused them, so each operation's cost in storage can be read off a running silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class StorageCallsTests(SiloFixture silo)
{
    [Fact]
    public async Task ACreate_IsCountedInStorageCalls_UnderItsOperation_ByStoreAndCall()
    {
        using var calls = new StorageCallRecorder();
        var t = await silo.NewTenantAsync();
        await t.CreateGroupAsync("counted");

        var create = calls.Under("/directory.v1.Groups/CreateGroup");
        Assert.Equal(2, create.Count(c => c is { Store: "audit", Call: "write" }));
        Assert.Contains(create, c => c is { Store: "grain-state", Call: "write" });
        Assert.Contains(create, c => c is { Store: "rows", Call: "write" });
    }
}
