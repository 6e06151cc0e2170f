using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Groups;
using DirectoryService.Grains.Rows;
using DirectoryService.Storage.Rows;

namespace DirectoryService.Grains.Tests.Groups;

/// <summary>A change of members becomes every row it touches, in one write; what changes nothing writes nothing.</summary>
public sealed class MemberChangeTests
{
    private static readonly RowSet Set = RowSets.Members("t", Guid.NewGuid().ToString());

    private static ObjectRef User() => ObjectRef.User(Guid.NewGuid().ToString());

    private static ObjectRef Group() => ObjectRef.Group(Guid.NewGuid().ToString());

    private sealed class CountingStore(IRowStore inner) : IRowStore
    {
        public int Writes { get; private set; }

        public Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit) => inner.ReadAsync(set, after, before, limit);

        public Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit) => inner.ReadKeysAsync(set, after, before, limit);

        public Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit) => inner.ReadSpanAsync(from, after, limit);

        public Task<Row?> GetAsync(RowSet set, string key) => inner.GetAsync(set, key);

        public Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
        {
            Writes++;
            return inner.WriteAsync(set, writes);
        }
    }

    [Fact]
    public async Task Joining_WritesBucketNestedRowsAndOwedUpdates_InOneWrite_AndOnlyOnce()
    {
        var store = new CountingStore(new MemoryRowStore());
        var rows = new GroupMemberRows(store, Set, () => { });
        await rows.CreateAsync();
        var (alice, bob, nested) = (User(), User(), Group());

        var applied = await rows.ApplyAsync(MemberChange.Add([alice, bob, nested, alice]));
        Assert.Equal(2, store.Writes);
        Assert.Equal(3, applied.Joining.Count);
        Assert.Equal([nested.Id], (await rows.NestedAsync()).ToList());
        Assert.Equal(applied.Owed, await rows.ReadOwedAsync());
        Assert.Equal(
            new[] { alice, bob, nested }.Select(m => m.Id).Order(StringComparer.Ordinal),
            (await rows.PageAsync(null, 10)).Items.Select(m => m.Id));

        var again = await rows.ApplyAsync(MemberChange.Add([alice, bob]));
        Assert.True(again.IsEmpty);
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task Leaving_RemovesTheMemberAndItsNestedRow_AndOwesTheRemoval()
    {
        var store = new CountingStore(new MemoryRowStore());
        var rows = new GroupMemberRows(store, Set, () => { });
        await rows.CreateAsync();
        var (alice, nested) = (User(), Group());
        await rows.ApplyAsync(MemberChange.Add([alice, nested]));

        Assert.True((await rows.ApplyAsync(MemberChange.Remove(User()))).IsEmpty);
        Assert.True((await rows.ApplyAsync(MemberChange.Remove(ObjectRef.Group(alice.Id)))).IsEmpty, "a user is not removed as a group");
        Assert.Equal(2, store.Writes);

        var applied = await rows.ApplyAsync(MemberChange.Remove(nested));
        Assert.Equal([nested], applied.Leaving);
        Assert.Empty(await rows.NestedAsync());
        Assert.Equal([new MemberOfChange(nested, Added: false)], await rows.ReadOwedAsync());
        Assert.Equal([alice.Id], (await rows.PageAsync(null, 10)).Items.Select(m => m.Id));
    }

    [Fact]
    public async Task JoiningAFullBucket_SplitsIt_AndKeepsEveryMember()
    {
        var rows = new GroupMemberRows(new MemoryRowStore(), Set, () => { });
        await rows.CreateAsync();
        var members = Enumerable.Range(0, MemberBuckets.Capacity + 40).Select(_ => User()).ToList();
        foreach (var chunk in members.Chunk(20))
        {
            await rows.ApplyAsync(MemberChange.Add(chunk));
        }

        Assert.True((await rows.LayoutAsync()).Buckets.Count > 1);
        Assert.Equal(members.Select(m => m.Id).Order(StringComparer.Ordinal), (await rows.PageAsync(null, 1000)).Items.Select(m => m.Id));
    }
}
