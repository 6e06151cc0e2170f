using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Indexing;

/// <summary>
/// One bucket of a tenant's listing index: the rows of the objects whose id starts with the
/// bucket's hex digit, ordered by id. Keyed by <c>{tenant}/{bucket}</c>.
/// </summary>
public interface IIndexGrain<TEntry, in TFilter> : IGrainWithStringKey
    where TEntry : IIndexEntry
    where TFilter : IIndexFilter<TEntry>
{
    /// <summary>Inserts or replaces the row for <c>entry.Id</c>.</summary>
    Task UpsertAsync(TEntry entry);

    /// <summary>Returns up to <paramref name="limit"/> matching rows with ids after <paramref name="after"/>.</summary>
    Task<Page<TEntry>> ListAsync(string? after, int limit, TFilter filter);
}
