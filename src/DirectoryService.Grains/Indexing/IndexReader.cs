using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;

namespace DirectoryService.Grains.Indexing;

/// <summary>Reads a tenant's index across its buckets, in id order, as one keyset-paged listing.</summary>
public static class IndexReader
{
    public static async Task<Page<TEntry>> ReadAsync<TEntry, TFilter>(
        Func<string, IIndexGrain<TEntry, TFilter>> bucket, TFilter filter, string? after, int limit)
        where TEntry : IIndexEntry
        where TFilter : IIndexFilter<TEntry>
    {
        // One row more than asked tells whether another page follows.
        var wanted = limit + 1;
        var rows = new List<TEntry>(Math.Min(wanted, 1000));
        foreach (var name in IndexBuckets.From(after))
        {
            var cursor = after is not null && IndexBuckets.Of(after) == name ? after : null;
            var page = await bucket(name).ListAsync(cursor, wanted - rows.Count, filter);
            rows.AddRange(page.Items);
            if (rows.Count == wanted)
            {
                break;
            }
        }

        return rows.Count > limit
            ? new Page<TEntry>(rows.GetRange(0, limit), rows[limit - 1].Id)
            : new Page<TEntry>(rows, null);
    }
}
