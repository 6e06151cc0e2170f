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

        public int Reads { get; private set; }

        public Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit)
        {
            Reads++;
            return inner.ReadAsync(set, after, before, limit);
        }

        public Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit)
        {
            Reads++;
            return inner.ReadKeysAsync(set, after, before, limit);
        }

        public Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit)
        {
            Reads++;
            return inner.ReadSpanAsync(from, after, limit);
        }

        public Task<Row?> GetAsync(RowSet set, string key)
        {
            Reads++;
            return inner.GetAsync(set, key);
        }

        public Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
        {
            Writes++;
            return inner.WriteAsync(set, writes);
        }
    }

    /// <summary>Refuses to delete a row that is not there, as Azure Table storage does (the memory store does not).</summary>
    private sealed class StrictStore(IRowStore inner) : IRowStore
    {
        public Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit) => inner.ReadAsync(set, after, before, limit);

        public Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit) => inner.ReadKeysAsync(set, after, before, limit);

        public Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit) => inner.ReadSpanAsync(from, after, limit);

        public Task<Row?> GetAsync(RowSet set, string key) => inner.GetAsync(set, key);

        public async Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
        {
            foreach (var delete in writes.Where(w => w.IsDelete))
            {
                Assert.True(await inner.GetAsync(set, delete.Key) is not null, $"deletes {delete.Key}, which is not stored");
            }

            await inner.WriteAsync(set, writes);
        }
    }

    [Fact]
    public async Task MakingRoomForMoreThanABucket_InANewGroup_SplitsItsUnwrittenBucket_AndOneChangeAddsThemAll()
    {
        var rows = new GroupMemberRows(new StrictStore(new MemoryRowStore()), Set, () => { });
        rows.Created();
        var members = Enumerable.Range(0, MemberBuckets.Capacity + 100).Select(_ => User()).OrderBy(m => m.Id, StringComparer.Ordinal).ToList();

        await rows.MakeRoomAsync(members);
        var runs = rows.Pack(members, maxBuckets: 96).ToList();
        Assert.Equal(16, (await rows.LayoutAsync()).Buckets.Count);
        Assert.Single(runs);
        await rows.ApplyAsync(MemberChange.Add(runs[0]), MemberRows.OwedRow(1));

        Assert.Equal(members.Select(m => m.Id), (await rows.PageAsync(null, 1000)).Items.Select(m => m.Id));
        Assert.Equal(members.Count, Assert.Single(await rows.ReadOwedAsync()).Changes.Count);
        // Smaller writes: runs of at most 8 buckets each, in order, together every member once.
        var small = rows.Pack(members, maxBuckets: 8).ToList();
        Assert.Equal(2, small.Count);
        Assert.All(small, run => Assert.Equal(8, run.Select(m => rows.BucketOf(m.Id)).Distinct().Count()));
        Assert.Equal(members, small.SelectMany(run => run));
    }

    [Fact]
    public async Task Joining_WritesBucketNestedRowsAndOwedUpdates_InOneWrite_AndOnlyOnce()
    {
        var store = new CountingStore(new MemoryRowStore());
        var rows = new GroupMemberRows(store, Set, () => { });
        rows.Created();
        var (alice, bob, nested) = (User(), User(), Group());

        var applied = await rows.ApplyAsync(MemberChange.Add([alice, bob, nested, alice]), MemberRows.OwedRow(1));
        Assert.Equal((1, 0), (store.Writes, store.Reads));
        Assert.Equal(3, applied.Joining.Count);
        Assert.Equal([nested.Id], (await rows.NestedAsync()).ToList());
        Assert.Equal(applied.Owed, Assert.Single(await rows.ReadOwedAsync()).Changes);
        Assert.Equal(
            new[] { alice, bob, nested }.Select(m => m.Id).Order(StringComparer.Ordinal),
            (await rows.PageAsync(null, 10)).Items.Select(m => m.Id));

        var again = await rows.ApplyAsync(MemberChange.Add([alice, bob]), MemberRows.OwedRow(1));
        Assert.True(again.IsEmpty);
        Assert.Equal(1, store.Writes);
    }

    [Fact]
    public async Task Leaving_RemovesTheMemberAndItsNestedRow_AndOwesTheRemoval()
    {
        var store = new CountingStore(new MemoryRowStore());
        var rows = new GroupMemberRows(store, Set, () => { });
        rows.Created();
        var (alice, nested) = (User(), Group());
        await rows.ApplyAsync(MemberChange.Add([alice, nested]), MemberRows.OwedRow(1));

        Assert.True((await rows.ApplyAsync(MemberChange.Remove(User()), MemberRows.OwedRow(2))).IsEmpty);
        Assert.True((await rows.ApplyAsync(MemberChange.Remove(ObjectRef.Group(alice.Id)), MemberRows.OwedRow(2))).IsEmpty, "a user is not removed as a group");
        Assert.Equal(1, store.Writes);

        var applied = await rows.ApplyAsync(MemberChange.Remove(nested), MemberRows.OwedRow(2));
        Assert.Equal([nested], applied.Leaving);
        Assert.Empty(await rows.NestedAsync());
        // Each change has its own owed row, read back in the changes' order.
        var owed = await rows.ReadOwedAsync();
        Assert.Equal([MemberRows.OwedRow(1), MemberRows.OwedRow(2)], owed.Select(o => o.Row));
        Assert.Equal([new MemberOfChange(nested, Added: false)], owed[1].Changes);
        Assert.Equal([alice.Id], (await rows.PageAsync(null, 10)).Items.Select(m => m.Id));
    }

    [Fact]
    public async Task ANewGroup_ReadsAndWritesNothing_UntilItsFirstChange_WhichStoresTheLayoutWithIt()
    {
        var store = new CountingStore(new StrictStore(new MemoryRowStore()));
        var rows = new GroupMemberRows(store, Set, () => { });
        rows.Created();
        var (alice, bob) = (User(), User());
        Assert.Equal([alice, bob], await rows.AbsentAsync([alice, bob]));
        Assert.Empty((await rows.PageAsync(null, 10)).Items);
        Assert.Empty(await rows.NestedAsync());
        Assert.Equal((0, 0), (store.Writes, store.Reads));

        await rows.ApplyAsync(MemberChange.Add([alice, bob]), MemberRows.OwedRow(1));
        Assert.Equal((1, 0), (store.Writes, store.Reads));

        // A later activation finds the layout the first change stored, and the members.
        var later = new GroupMemberRows(store, Set, () => { });
        Assert.Equal(rows.BucketOf(alice.Id), (await later.LayoutAsync()).Buckets.Single());
        Assert.Equal(new[] { alice, bob }.Select(m => m.Id).Order(StringComparer.Ordinal), (await later.PageAsync(null, 10)).Items.Select(m => m.Id));
    }

    [Fact]
    public async Task AGroupThatNeverChanged_ReadsAsEmpty_InALaterActivation()
    {
        var store = new MemoryRowStore();
        new GroupMemberRows(store, Set, () => { }).Created();

        var later = new GroupMemberRows(store, Set, () => { });
        Assert.Empty((await later.PageAsync(null, 10)).Items);
        Assert.Empty(await later.NestedAsync());
        var alice = User();
        Assert.Equal([alice], await later.AbsentAsync([alice]));
        await later.ApplyAsync(MemberChange.Add([alice]), MemberRows.OwedRow(1));
        Assert.Equal([alice.Id], (await later.PageAsync(null, 10)).Items.Select(m => m.Id));
    }

    [Fact]
    public async Task JoiningAFullBucket_SplitsIt_AndKeepsEveryMember()
    {
        var rows = new GroupMemberRows(new MemoryRowStore(), Set, () => { });
        rows.Created();
        var members = Enumerable.Range(0, MemberBuckets.Capacity + 40).Select(_ => User()).ToList();
        foreach (var chunk in members.Chunk(20))
        {
            await rows.ApplyAsync(MemberChange.Add(chunk), MemberRows.OwedRow(1));
        }

        Assert.True((await rows.LayoutAsync()).Buckets.Count > 1);
        Assert.Equal(members.Select(m => m.Id).Order(StringComparer.Ordinal), (await rows.PageAsync(null, 1000)).Items.Select(m => m.Id));
    }
}
