using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Indexing;
using DirectoryService.Grains.Rows;
using DirectoryService.Storage.Rows;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DirectoryService.Grains.Tests.Indexing;

public sealed class IndexReaderTests
{
    private readonly RowCodec _codec = new(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    [Fact]
    public async Task Listing_ReadsEveryRowInIdOrder_AcrossBuckets()
    {
        var store = new MemoryRowStore();
        var ids = new[] { "f0" + Guid.NewGuid().ToString("N")[2..], "0a" + Guid.NewGuid().ToString("N")[2..], "7c" + Guid.NewGuid().ToString("N")[2..] };
        foreach (var id in ids)
        {
            await store.WriteAsync(RowSets.UserIndex("t", RowSets.Bucket(id)), [RowWrite.Upsert(id, _codec.Encode(Entry(id)))]);
        }

        var page = await new IndexReader(store, _codec).ReadAsync(b => RowSets.UserIndex("t", b), new UserFilter(), null, 10);

        Assert.Equal(ids.Order(StringComparer.Ordinal), page.Items.Select(e => e.Id));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task ARowThatDoesNotDecode_IsNamedByKeyAndSize()
    {
        var store = new MemoryRowStore();
        var good = "01" + Guid.NewGuid().ToString("N")[2..];
        var bad = "02" + Guid.NewGuid().ToString("N")[2..];
        await store.WriteAsync(RowSets.UserIndex("t", RowSets.Bucket(good)), [RowWrite.Upsert(good, _codec.Encode(Entry(good)))]);
        var truncated = _codec.Encode(Entry(bad))[..5];
        await store.WriteAsync(RowSets.UserIndex("t", RowSets.Bucket(bad)), [RowWrite.Upsert(bad, truncated)]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new IndexReader(store, _codec).ReadAsync(b => RowSets.UserIndex("t", b), new UserFilter(), null, 10));

        Assert.Contains($"'{bad}' (5 bytes)", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(UserIndexEntry), e.Message, StringComparison.Ordinal);
    }

    private static UserIndexEntry Entry(string id) => new(id, id + "@contoso.com", "", id, "", true, null);
}
