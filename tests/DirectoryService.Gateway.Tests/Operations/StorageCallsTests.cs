using DirectoryService.Gateway.Tests.Import;
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

    [Fact]
    public async Task An_import_of_new_users_reads_no_row_per_user_and_binds_their_keys_one_write_per_bucket()
    {
        using var calls = new StorageCallRecorder();
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);

        var (rejections, last) = await t.ImportAsync([.. Enumerable.Range(0, 300).Select(i => r.User($"N{i}"))]);

        Assert.Empty(rejections);
        Assert.Equal(300, last.Counts.Created);
        var import = calls.Under("/directory.v1.Import/ImportRecords");

        // Each new user's activation used to read its row, and its two keys' grains theirs: 900 reads that found nothing.
        var pointReads = import.Count(c => c is { Store: "grain-state", Call: "read" });
        Assert.True(pointReads <= 10, $"{pointReads} point reads of grain state for 300 new users");

        // 600 keys fall into at most 600 of the tenant's 4,096 buckets, each loaded with one query.
        var buckets = import.Count(c => c is { Store: "grain-state", Call: "read-spread" });
        Assert.InRange(buckets, 400, 600);

        // And bound ahead, one write per bucket for all the batch's keys in it, so that the creates
        // find them bound and write only their own state: no single write per key.
        Assert.Equal(buckets, import.Count(c => c is { Store: "grain-state", Call: "write-spread" }));
        var stateWrites = import.Count(c => c is { Store: "grain-state", Call: "write" });
        Assert.True(stateWrites <= 300 + 10, $"{stateWrites} single grain-state writes for 300 new users (900 when each key was written alone)");
    }
}
