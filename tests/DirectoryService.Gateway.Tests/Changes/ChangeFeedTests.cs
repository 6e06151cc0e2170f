using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Gateway.Tests.Changes;

/// <summary>A feed shard under many concurrent appends: every acknowledged position is read back exactly once, in order, from memory and from storage across buckets.</summary>
[Collection(SiloCollection.Name)]
public sealed class ChangeFeedTests(SiloFixture silo)
{
    [Fact]
    public async Task ConcurrentAppends_AreReadBackOnceAndInOrder_AcrossBuckets()
    {
        var t = await silo.NewTenantAsync();
        var shard = silo.Grains.Shard(t.Id, ObjectKind.User, 0);

        // More than the shard keeps in memory (4,096) and than a bucket holds (1,024): early records come from storage.
        var positions = await Task.WhenAll(Enumerable.Range(0, 5000).Select(i => shard.AppendAsync(new ChangeNotice($"object-{i}", []))));
        Assert.Equal(positions.Length, positions.Distinct().Count());

        var read = new List<ChangeRecord>();
        var after = 0L;
        while (true)
        {
            var page = await shard.ReadAsync(after, 1000);
            if (page.Records.IsEmpty)
            {
                Assert.Equal(positions.Max(), page.Head);
                break;
            }

            read.AddRange(page.Records);
            after = page.Records[^1].Position;
        }

        Assert.Equal(positions.Order(), read.Select(r => r.Position));
        var byPosition = read.ToDictionary(r => r.Position, r => r.ObjectId);
        for (var i = 0; i < positions.Length; i++)
        {
            Assert.Equal($"object-{i}", byPosition[positions[i]]);
        }

        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.AppendedAt <= p.Second.AppendedAt), "appended-at times never go backwards");

        // From storage a page at a time, however small: records are stored in runs, and a page that
        // begins inside one must still go on to the next records, never past them.
        foreach (var limit in new[] { 1, 7, 99 })
        {
            var paged = new List<long>();
            for (var at = 0L; paged.Count < 1500;)
            {
                var page = await shard.ReadAsync(at, limit);
                Assert.NotEmpty(page.Records);
                Assert.True(page.Records.Length <= limit);
                paged.AddRange(page.Records.Select(r => r.Position));
                at = page.Records[^1].Position;
            }

            Assert.Equal(positions.Order().Take(paged.Count), paged);
        }
    }
}
