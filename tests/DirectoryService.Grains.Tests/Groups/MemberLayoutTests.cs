using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Groups;

namespace DirectoryService.Grains.Tests.Groups;

public sealed class MemberLayoutTests
{
    [Fact]
    public void A_group_without_members_has_one_implicit_bucket_and_round_trips()
    {
        var decoded = MemberLayout.Decode(MemberLayout.Empty.Encode());
        Assert.Equal([""], decoded.Buckets);
        Assert.Equal(0, decoded.NestedCount);
    }

    [Fact]
    public void Buckets_of_a_grown_group_and_its_nested_count_round_trip_compactly()
    {
        var members = Enumerable.Range(0, 80_000).Select(_ => new ObjectRef(MemberBucketsTests.RandomId(), ObjectKind.User));
        var buckets = MemberBucketsTests.Fill(members).Keys.ToList();
        Assert.True(buckets.Count > 300, $"{buckets.Count} buckets");

        var encoded = new MemberLayout(buckets, nestedCount: 12_345).Encode();
        var decoded = MemberLayout.Decode(encoded);

        Assert.Equal(buckets.Order(StringComparer.Ordinal), decoded.Buckets);
        Assert.Equal(12_345, decoded.NestedCount);

        // One bit per node of the bucket tree: far below one bucket key per bucket.
        Assert.True(encoded.Length < buckets.Count / 4, $"{encoded.Length} bytes for {buckets.Count} buckets");
    }

    [Fact]
    public void Buckets_that_do_not_cover_every_hash_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new MemberLayout(["0", "1"], 0).Encode());
    }

    [Fact]
    public void Owed_updates_round_trip_in_order()
    {
        List<MemberOfChange> changes =
        [
            new(new ObjectRef(MemberBucketsTests.RandomId(), ObjectKind.User), Added: true),
            new(new ObjectRef(MemberBucketsTests.RandomId(), ObjectKind.Group), Added: false),
            new(new ObjectRef(MemberBucketsTests.RandomId(), ObjectKind.User), Added: false),
        ];

        Assert.Equal(changes, MemberRows.DecodeChanges(MemberRows.EncodeChanges(changes)));
        Assert.Empty(MemberRows.DecodeChanges([]));
    }
}
