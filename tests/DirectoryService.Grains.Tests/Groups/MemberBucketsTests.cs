using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Groups;

namespace DirectoryService.Grains.Tests.Groups;

public sealed class MemberBucketsTests
{
    private static readonly Random Seeded = new(42);

    private static readonly List<ObjectRef> Members = [.. Enumerable.Range(0, 5000).Select(i =>
        new ObjectRef(RandomId(), i % 5 == 0 ? ObjectKind.Group : ObjectKind.User))];

    [Fact]
    public void The_groups_order_is_id_order()
    {
        Assert.Equal(Members.Select(m => m.Id).Order(StringComparer.Ordinal), MemberBuckets.Ordered(Members).Select(m => m.Id));
    }

    [Fact]
    public void Encoding_round_trips_members_in_the_groups_order()
    {
        var some = Members.Take(300).ToList();
        var decoded = MemberBuckets.Decode(MemberBuckets.Encode(some));
        Assert.Equal(MemberBuckets.Ordered(some), decoded);
        Assert.Equal(300 * 17, MemberBuckets.Encode(some).Length);
    }

    [Fact]
    public void Splitting_full_buckets_keeps_every_hash_in_exactly_one_bucket_of_bounded_size()
    {
        var buckets = Fill(Members);

        Assert.All(buckets.Values, b => Assert.InRange(b.Count, 0, MemberBuckets.Capacity));
        Assert.Equal(Members.Count, buckets.Values.Sum(b => b.Count));
        Assert.All(Members, m => Assert.Single(buckets.Keys, b => MemberBuckets.Hash(m.Id).StartsWith(b, StringComparison.Ordinal)));

        // Buckets in key order, each in (hash, id) order, list every member in the group's order.
        var listed = buckets.OrderBy(b => b.Key, StringComparer.Ordinal).SelectMany(b => MemberBuckets.Ordered(b.Value)).ToList();
        Assert.Equal(MemberBuckets.Ordered(Members), listed);
    }

    [Fact]
    public void A_cursor_selects_exactly_the_members_after_it_and_skips_only_buckets_wholly_before_it()
    {
        var ordered = MemberBuckets.Ordered(Members).ToList();
        var cursor = ordered[1234];
        Assert.Equal(ordered.Skip(1235), ordered.Where(m => MemberBuckets.After(m, cursor.Id)));

        var hash = MemberBuckets.Hash(cursor.Id);
        Assert.False(MemberBuckets.Before(hash[..2], hash));
        Assert.False(MemberBuckets.Before("", hash));
        Assert.True(MemberBuckets.Before("0", "1abc0000"));
        Assert.False(MemberBuckets.Before("2", "1abc0000"));
    }

    /// <summary>Adds members one at a time into buckets, splitting each bucket that overfills, as a group does.</summary>
    internal static Dictionary<string, List<ObjectRef>> Fill(IEnumerable<ObjectRef> members)
    {
        var buckets = new Dictionary<string, List<ObjectRef>> { [""] = [] };
        foreach (var member in members)
        {
            var bucket = MemberBuckets.BucketOf(MemberBuckets.Hash(member.Id), buckets.Keys.ToHashSet());
            buckets[bucket].Add(member);
            if (buckets[bucket].Count > MemberBuckets.Capacity)
            {
                foreach (var child in MemberBuckets.Children(bucket))
                {
                    buckets[child] = [.. buckets[bucket].Where(m => MemberBuckets.Hash(m.Id).StartsWith(child, StringComparison.Ordinal))];
                }

                buckets.Remove(bucket);
            }
        }

        return buckets;
    }

    internal static string RandomId()
    {
        var bytes = new byte[16];
        Seeded.NextBytes(bytes);
        return new Guid(bytes).ToString("D");
    }
}
