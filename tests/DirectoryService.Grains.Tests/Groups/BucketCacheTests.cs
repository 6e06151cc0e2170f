using DirectoryService.Grains.Groups;

namespace DirectoryService.Grains.Tests.Groups;

public sealed class BucketCacheTests
{
    [Fact]
    public void Keeps_the_most_recently_used_buckets_within_its_budget()
    {
        var cache = new BucketCache(maxBytes: 300);
        cache.Set("0", new byte[100]);
        cache.Set("1", new byte[100]);
        cache.Set("2", new byte[100]);
        Assert.True(cache.TryGet("0", out _));

        cache.Set("3", new byte[100]);

        Assert.False(cache.TryGet("1", out _));
        Assert.True(cache.TryGet("0", out _));
        Assert.True(cache.TryGet("2", out _));
        Assert.True(cache.TryGet("3", out _));
        Assert.Equal(300, cache.Bytes);
    }

    [Fact]
    public void A_widened_budget_keeps_more_buckets_and_is_never_narrowed()
    {
        var cache = new BucketCache(maxBytes: 200);
        cache.Widen(400);
        cache.Widen(100);
        foreach (var bucket in new[] { "0", "1", "2", "3", "4" })
        {
            cache.Set(bucket, new byte[100]);
        }

        Assert.Equal(400, cache.Bytes);
        Assert.False(cache.TryGet("0", out _));
        Assert.True(cache.TryGet("1", out _));
    }

    [Fact]
    public void A_replaced_bucket_answers_its_new_value_and_counts_once()
    {
        var cache = new BucketCache(maxBytes: 1000);
        cache.Set("a", [1, 2, 3]);
        cache.Set("a", [4]);

        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal([4], value);
        Assert.Equal(1, cache.Bytes);

        cache.Remove("a");
        Assert.False(cache.TryGet("a", out _));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void A_bucket_larger_than_the_budget_is_kept_alone()
    {
        var cache = new BucketCache(maxBytes: 10);
        cache.Set("a", new byte[5]);
        cache.Set("b", new byte[50]);

        Assert.False(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("b", out _));

        cache.Clear();
        Assert.False(cache.TryGet("b", out _));
        Assert.Equal(0, cache.Bytes);
    }
}
