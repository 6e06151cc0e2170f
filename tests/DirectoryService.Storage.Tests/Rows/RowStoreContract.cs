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
            var seen = new List<string>();
            var after = RowKeys.After("m:", null);
            while (true)
            {
                var page = await Store.ReadAsync(set, after, RowKeys.Before("m:"), size);
                Assert.True(page.Items.Count <= size);
                seen.AddRange(page.Items.Select(r => r.Key));
                if (page.Next is null)
                {
                    break;
                }

                after = page.Next;
            }

            Assert.Equal(keys, seen);
        }
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
        var writes = Enumerable.Range(0, IRowStore.MaxWritesPerCall + 1).Select(i => RowWrite.Upsert($"k{i}", [])).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteAsync(set, writes));
        Assert.Empty((await Store.ReadAsync(set, "", RowKeys.End, 10)).Items);
    }
}

public sealed class TableRowStoreTests : RowStoreContract
{
    public override async Task InitializeAsync()
    {
        var options = await StorageTestServices.NewTablesAsync();
        var store = new DirectoryService.Storage.Rows.TableRowStore(
            Tables.TableClients.Create(options.ConnectionString, options.RowTable, 2), "storage-tests");
        await store.InitializeAsync(CancellationToken.None);
        Store = store;
    }
}

public sealed class MemoryRowStoreTests : RowStoreContract
{
    public override Task InitializeAsync()
    {
        Store = new DirectoryService.Grains.Rows.MemoryRowStore();
        return Task.CompletedTask;
    }
}
