using DirectoryService.Storage.Tables;
using DirectoryService.Storage.Rows;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Storage.Tests.Rows;

/// <summary>What every row store must do; run against Azure Table storage (Azurite) and the in-memory store.</summary>
public abstract class RowStoreContract : IAsyncLifetime
{
    protected IRowStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static RowSet NewSet(string kind = "members") => new("tenant-a", kind, Guid.NewGuid().ToString());

    private static byte[] Bytes(int value) => BitConverter.GetBytes(value);

    [Fact]
    public async Task Write_ThenGet_AndDelete()
    {
        var set = NewSet();
        await Store.WriteAsync(set, [RowWrite.Upsert("m:a", Bytes(1)), RowWrite.Upsert("m:b", Bytes(2))]);
        Assert.Equal(Bytes(2), (await Store.GetAsync(set, "m:b"))!.Value);

        await Store.WriteAsync(set, [RowWrite.Upsert("m:b", Bytes(3))]);
        Assert.Equal(Bytes(3), (await Store.GetAsync(set, "m:b"))!.Value);

        await Store.WriteAsync(set, [RowWrite.Delete("m:a")]);
        Assert.Null(await Store.GetAsync(set, "m:a"));
        await Store.WriteAsync(set, [RowWrite.Delete("m:a")]);
    }

    [Fact]
    public async Task Read_ReturnsAKeyRangeInOrder_AndPagesWithoutGapsOrDuplicates()
    {
        var set = NewSet();
        var keys = Enumerable.Range(0, 250).Select(i => $"m:{i:D5}").ToList();
        foreach (var chunk in keys.Chunk(100))
        {
            await Store.WriteAsync(set, [.. chunk.Select(k => RowWrite.Upsert(k, []))]);
        }

        await Store.WriteAsync(set, [RowWrite.Upsert("n:x", []), RowWrite.Upsert("p:1", [])]);

        foreach (var size in new[] { 1, 7, 100, 999 })
        {
            Assert.Equal(keys, await PagedAsync(RowKeys.After("m:", null), after => Store.ReadAsync(set, after, RowKeys.Before("m:"), size), size));
        }
    }

    [Fact]
    public async Task Span_ReadsATenantsSetsOfAKindInOwnerThenKeyOrder_AndPagesWithoutGapsOrDuplicates()
    {
        // Listing-index buckets: the owner is a prefix of the keys, so span order is key order.
        var tenant = Guid.NewGuid().ToString();
        var keys = Enumerable.Range(0, 120).Select(_ => Guid.NewGuid().ToString()).Order(StringComparer.Ordinal).ToList();
        foreach (var bucket in keys.GroupBy(k => k[..2]))
        {
            await Store.WriteAsync(new RowSet(tenant, RowSet.UserIndexKind, bucket.Key), [.. bucket.Select(k => RowWrite.Upsert(k, []))]);
        }

        // Neither another kind nor another tenant belongs to the span.
        await Store.WriteAsync(new RowSet(tenant, RowSet.GroupIndexKind, "00"), [RowWrite.Upsert("00-group", [])]);
        await Store.WriteAsync(new RowSet(Guid.NewGuid().ToString(), RowSet.UserIndexKind, "00"), [RowWrite.Upsert("00-other", [])]);

        foreach (var size in new[] { 1, 7, 500 })
        {
            Assert.Equal(keys, await PagedAsync("", after => Store.ReadSpanAsync(new RowSet(tenant, RowSet.UserIndexKind, after.Length == 0 ? "" : after[..2]), after, size), size));
        }

        var middle = keys[60];
        Assert.Equal(keys[61..], (await Store.ReadSpanAsync(new RowSet(tenant, RowSet.UserIndexKind, middle[..2]), middle, 500)).Items.Select(r => r.Key));
    }

    [Fact]
    public async Task Span_IsRefusedForKindsNotStoredForIt()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadSpanAsync(NewSet(), "", 10));
    }

    /// <summary>Every key of a paged read, following its cursors from <paramref name="start"/>; no page larger than <paramref name="size"/>.</summary>
    private static async Task<List<string>> PagedAsync(string start, Func<string, Task<Abstractions.Common.Page<Row>>> read, int size)
    {
        var seen = new List<string>();
        for (string? after = start; after is not null;)
        {
            var page = await read(after);
            Assert.True(page.Items.Count <= size);
            seen.AddRange(page.Items.Select(r => r.Key));
            after = page.Next;
        }

        return seen;
    }

    [Fact]
    public async Task Sets_AreIsolated()
    {
        var a = NewSet();
        var b = NewSet();
        await Store.WriteAsync(a, [RowWrite.Upsert("k", [])]);
        Assert.Null(await Store.GetAsync(b, "k"));
        Assert.Empty((await Store.ReadAsync(b, "", RowKeys.End, 10)).Items);
    }

    [Fact]
    public async Task Write_RefusesMoreThanOneTransactionHolds()
    {
        var set = NewSet();
        var writes = Enumerable.Range(0, TableLimits.MaxActionsPerTransaction + 1).Select(i => RowWrite.Upsert($"k{i}", [])).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(set, writes));
        Assert.Empty((await Store.ReadAsync(set, "", RowKeys.End, 10)).Items);
    }
}

public sealed class TableRowStoreTests : RowStoreContract
{
    public override async Task InitializeAsync()
    {
        var options = await StorageTestServices.NewTablesAsync();
        // Sharded like a silo's, so spans must find their sets side by side.
        var store = new DirectoryService.Storage.Rows.TableRowStore(
            Tables.TableShards.Create(options.RowTable, 4, name => Tables.TableClients.Create(options.ConnectionString, name, 2), table => Tables.TableClients.Transactions(options.ConnectionString, table, 2)), "storage-tests");
        await store.InitializeAsync(CancellationToken.None);
        Store = store;
    }
}

public sealed class MemoryRowStoreTests : RowStoreContract
{
    public override Task InitializeAsync()
    {
        Store = new MemoryRowStore();
        return Task.CompletedTask;
    }
}
