using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Indexing;

/// <summary>
/// Reads a tenant's listing index — row sets bucketed by the leading hex digits of the id
/// (<see cref="IndexBuckets"/>), read as one span — in id order as one keyset-paged listing,
/// decoding and filtering rows as they stream.
/// </summary>
public sealed class IndexReader(IRowStore rows, RowCodec codec)
{
    private const int Chunk = 500;

    public async Task<Page<TEntry>> ReadAsync<TEntry>(Func<string, RowSet> bucket, IIndexFilter<TEntry> filter, string? after, int limit, CancellationToken cancellationToken = default)
        where TEntry : IIndexEntry
    {
        // One row more than asked tells whether another page follows.
        var wanted = limit + 1;
        var found = new List<TEntry>(Math.Min(wanted, 1000));
        var cursor = after ?? "";
        while (found.Count < wanted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await rows.ReadSpanAsync(bucket(cursor.Length == 0 ? IndexBuckets.First : IndexBuckets.Of(cursor)), cursor, Chunk);
            found.AddRange(page.Items.Select(Decode<TEntry>).Where(filter.Matches).Take(wanted - found.Count));
            if (page.Next is null)
            {
                break;
            }

            cursor = page.Next;
        }

        return found.Count > limit
            ? new Page<TEntry>(found.GetRange(0, limit), found[limit - 1].Id)
            : new Page<TEntry>(found, null);
    }

    /// <summary>A listing row's entry; a row that does not decode is named (key and size), so that it can be found in storage.</summary>
    private TEntry Decode<TEntry>(Row row)
    {
        try
        {
            return codec.Decode<TEntry>(row.Value);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"listing row '{row.Key}' ({row.Value.Length} bytes) does not decode as {typeof(TEntry).Name}: {e.Message}", e);
        }
    }
}
