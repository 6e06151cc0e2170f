using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Indexing;

/// <summary>
/// One bucket of a listing index. Rows are written by the objects they describe after each change;
/// listings read them in id order, filtered here so that only matching rows travel.
/// </summary>
public abstract class IndexGrain<TEntry, TFilter>(IPersistentState<IndexState<TEntry>> state)
    : Grain, IIndexGrain<TEntry, TFilter>
    where TEntry : IIndexEntry
    where TFilter : IIndexFilter<TEntry>
{
    private List<string>? _sortedIds;

    public async Task UpsertAsync(TEntry entry)
    {
        var rows = state.State.Rows;
        if (rows.TryGetValue(entry.Id, out var existing) && Equals(existing, entry))
        {
            return;
        }

        rows[entry.Id] = entry;
        try
        {
            await state.WriteOrReloadAsync(this);
        }
        finally
        {
            if (existing is null)
            {
                _sortedIds = null;
            }
        }
    }

    public Task<Page<TEntry>> ListAsync(string? after, int limit, TFilter filter)
    {
        var rows = state.State.Rows;
        var ids = _sortedIds ??= [.. rows.Keys.Order(StringComparer.Ordinal)];
        var start = after is null ? 0 : SortedPage.FirstAfter(ids, after, id => id);
        var items = new List<TEntry>(Math.Min(limit, 128));
        string? next = null;
        for (var i = start; i < ids.Count; i++)
        {
            if (!rows.TryGetValue(ids[i], out var row) || !filter.Matches(row))
            {
                continue;
            }

            if (items.Count == limit)
            {
                next = items[^1].Id;
                break;
            }

            items.Add(row);
        }

        return Task.FromResult(new Page<TEntry>(items, next));
    }
}
