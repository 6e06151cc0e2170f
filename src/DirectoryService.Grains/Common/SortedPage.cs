using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>Keyset paging over a list sorted ordinally by key: the items after a key, and where to continue.</summary>
public static class SortedPage
{
    public static Page<T> After<T>(IReadOnlyList<T> sorted, string? after, int limit, Func<T, string> keyOf)
    {
        var start = after is null ? 0 : FirstAfter(sorted, after, keyOf);
        var take = Math.Min(limit, sorted.Count - start);
        var items = new T[Math.Max(take, 0)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = sorted[start + i];
        }

        var more = start + items.Length < sorted.Count;
        return new Page<T>(items, more && items.Length > 0 ? keyOf(items[^1]) : null);
    }

    /// <summary>The index of the first item whose key sorts after <paramref name="key"/>.</summary>
    public static int FirstAfter<T>(IReadOnlyList<T> sorted, string key, Func<T, string> keyOf)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(keyOf(sorted[mid]), key) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
