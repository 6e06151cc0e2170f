namespace DirectoryService.Abstractions.Indexing;

/// <summary>
/// Object ids are random GUIDs, so their first hex digit splits a tenant's rows into 16 ordered,
/// evenly filled buckets: walking the buckets in order walks all ids in order.
/// </summary>
public static class IndexBuckets
{
    public static readonly IReadOnlyList<string> All =
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"];

    public static string Of(string objectId) => objectId[..1];

    /// <summary>The buckets to walk for a listing that continues after <paramref name="after"/>.</summary>
    public static IEnumerable<string> From(string? after) =>
        after is null ? All : All.SkipWhile(b => string.CompareOrdinal(b, Of(after)) < 0);
}
