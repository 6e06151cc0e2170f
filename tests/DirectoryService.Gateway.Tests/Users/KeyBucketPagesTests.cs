using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>
/// A key bucket keeps its bindings in a few page rows of its partition (<see cref="KeyPages"/>),
/// against the real silo and Azurite: changes that arrive together are written together, a new
/// activation reads every page back, a page written by someone else is never overwritten, and
/// bindings stored a row per key before pages are still found, and overridden by their pages.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class KeyBucketPagesTests(SiloFixture silo)
{
    private IGrainStorage Storage => silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Directory);

    [Fact]
    public async Task Many_keys_of_one_bucket_are_written_together_in_a_few_pages_and_read_back_by_a_new_activation()
    {
        var t = await silo.NewTenantAsync();
        var (bucket, keys) = KeysOfOneBucket(t.Id, 120, length: 200);
        var holders = keys.Select(_ => Guid.NewGuid().ToString()).ToList();
        var grain = Bucket(t.Id, bucket);

        using var calls = new StorageCallRecorder();
        const string operation = "test/reserve-many";
        using (ApiOperation.Begin(operation))
        {
            await Task.WhenAll(keys.Select((k, i) => grain.ReserveAsync(k, holders[i])));
        }

        // 120 reservations at once: a write in flight, the rest waiting for the next, not a write each.
        var writes = calls.Under(operation).Count(c => c is { Store: "grain-state", Call: "write-spread" or "write" });
        Assert.InRange(writes, 1, 6);

        await CollectAsync();
        Assert.Equal(holders, await Task.WhenAll(keys.Select(k => grain.GetOwnerAsync(k))));

        // ~680 bytes a key: a few full pages, every key in exactly one.
        var pages = await StoredPagesAsync(t.Id, bucket);
        Assert.InRange(pages.Count, 120 * 600 / KeyPages.PageBytes, 120 * 700 / KeyPages.PageBytes + 1);
        Assert.Equal(keys.Select(k => k.Value).Order(), pages.SelectMany(p => p.Keys!).Select(e => e.Key.Value).Order());
    }

    [Fact]
    public async Task A_page_written_by_another_activation_is_not_overwritten_the_bucket_reads_it_again()
    {
        var t = await silo.NewTenantAsync();
        var (bucket, keys) = KeysOfOneBucket(t.Id, 3, length: 20);
        var (mine, theirs, next) = (keys[0], keys[1], keys[2]);
        var grain = Bucket(t.Id, bucket);
        await grain.ReserveAsync(mine, "00000000-0000-4000-8000-000000000001");

        // Another writer (a second activation, for a moment while silos fail) binds a key in the same page.
        var row = KeyPages.RowId(t.Id, bucket, 0);
        var page = new GrainState<KeyRow>(new KeyRow(), null);
        await Storage.ReadStateAsync(KeyPages.StateName, row, page);
        page.State!.Keys!.Add(new PagedKey(theirs, "00000000-0000-4000-8000-000000000002"));
        await Storage.WriteStateAsync(KeyPages.StateName, row, page);

        // This activation's next write was on the page's old etag: refused, and it reads the page again.
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.ReserveAsync(next, "00000000-0000-4000-8000-000000000003"));
        Assert.Equal("00000000-0000-4000-8000-000000000002", await grain.GetOwnerAsync(theirs));

        await grain.ReserveAsync(next, "00000000-0000-4000-8000-000000000003");
        var stored = Assert.Single(await StoredPagesAsync(t.Id, bucket));
        Assert.Equal(
            [(mine, "00000000-0000-4000-8000-000000000001"), (theirs, "00000000-0000-4000-8000-000000000002"), (next, "00000000-0000-4000-8000-000000000003")],
            stored.Keys!.Select(e => (e.Key, e.Holder)).OrderBy(e => e.Holder));
    }

    [Fact]
    public async Task Keys_stored_a_row_each_before_pages_are_found_and_a_change_of_one_is_written_to_its_page()
    {
        var t = await silo.NewTenantAsync();
        var (bucket, keys) = KeysOfOneBucket(t.Id, 3, length: 20);
        var (kept, released, taken) = (keys[0], keys[1], keys[2]);
        var holders = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        foreach (var (key, holder) in keys.Zip(holders))
        {
            await Storage.WriteStateAsync(UniqueKeys.StateName(key.Kind), UniqueKeys.RowId(t.Id, key), new GrainState<KeyRow>(new KeyRow { UserId = holder }));
        }

        var grain = Bucket(t.Id, bucket);
        Assert.Equal(holders, await Task.WhenAll(keys.Select(k => grain.GetOwnerAsync(k))));

        // The third key's holder is no user of the tenant: the next taker takes it over.
        var taker = Guid.NewGuid().ToString();
        await grain.ReleaseAsync(released, holders[1]);
        await grain.ReserveAsync(taken, taker);
        await CollectAsync();

        Assert.Equal(new[] { holders[0], null, taker }, await Task.WhenAll(keys.Select(k => grain.GetOwnerAsync(k))));
        var page = Assert.Single(await StoredPagesAsync(t.Id, bucket));
        Assert.Equal([(released, ""), (taken, taker)], page.Keys!.Select(e => (e.Key, e.Holder)).OrderBy(e => e.Holder));

        // The old rows are as they were: the page outweighs them.
        var old = new GrainState<KeyRow>(new KeyRow(), null);
        await Storage.ReadStateAsync(UniqueKeys.StateName(released.Kind), UniqueKeys.RowId(t.Id, released), old);
        Assert.Equal(holders[1], old.State!.UserId);
    }

    private IKeyBucketGrain Bucket(string tenantId, string bucket) => silo.Grains.GetGrain<IKeyBucketGrain>(GrainKeys.Scoped(tenantId, bucket));

    private Task CollectAsync() => silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    /// <summary>The bucket's page rows as stored, read one by one from the first.</summary>
    private async Task<List<KeyRow>> StoredPagesAsync(string tenantId, string bucket)
    {
        var pages = new List<KeyRow>();
        for (var number = 0; ; number++)
        {
            var page = new GrainState<KeyRow>(new KeyRow(), null);
            await Storage.ReadStateAsync(KeyPages.StateName, KeyPages.RowId(tenantId, bucket, number), page);
            if (!page.RecordExists)
            {
                return pages;
            }

            pages.Add(page.State!);
        }
    }

    /// <summary>Principal names of <paramref name="length"/> characters or so that all fall into one bucket of the tenant.</summary>
    private static (string Bucket, List<TenantKey> Keys) KeysOfOneBucket(string tenantId, int count, int length)
    {
        TenantKey Key(int i) => new(UniqueKeyKind.PrincipalName, $"k{i}@".PadRight(length, 'p') + ".example.com");
        var bucket = UniqueKeys.BucketOf(tenantId, Key(0));
        var keys = new List<TenantKey>();
        for (var i = 0; keys.Count < count; i++)
        {
            if (UniqueKeys.BucketOf(tenantId, Key(i)) == bucket)
            {
                keys.Add(Key(i));
            }
        }

        return (bucket, keys);
    }
}
