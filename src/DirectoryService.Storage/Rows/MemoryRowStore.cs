using DirectoryService.Storage.Tables;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Storage.Rows;

/// <summary>Row sets in process memory: for the in-memory mode (tests and demos), lost on exit.</summary>
public sealed class MemoryRowStore : IRowStore
{
    private readonly Dictionary<RowSet, SortedDictionary<string, byte[]>> _sets = [];

    public Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit)
    {
        lock (_sets)
        {
            var rows = _sets.TryGetValue(set, out var sorted)
                ? sorted.Where(r => string.CompareOrdinal(r.Key, after) > 0 && string.CompareOrdinal(r.Key, before) < 0)
                    .Take(limit + 1).Select(r => new Row(r.Key, r.Value)).ToList()
                : [];
            return Task.FromResult(rows.Count > limit
                ? new Page<Row>(rows.GetRange(0, limit), rows[limit - 1].Key)
                : new Page<Row>(rows, null));
        }
    }

    public Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit)
    {
        if (!RowSet.Spanned.Contains(from.Kind))
        {
            throw new ArgumentException($"row sets of kind '{from.Kind}' are not stored for span reads", nameof(from));
        }

        lock (_sets)
        {
            var rows = _sets
                .Where(s => s.Key.TenantId == from.TenantId && s.Key.Kind == from.Kind && string.CompareOrdinal(s.Key.Owner, from.Owner) >= 0)
                .OrderBy(s => s.Key.Owner, StringComparer.Ordinal)
                .SelectMany(s => s.Value.Where(r => s.Key.Owner != from.Owner || string.CompareOrdinal(r.Key, after) > 0))
                .Take(limit + 1).Select(r => new Row(r.Key, r.Value)).ToList();
            return Task.FromResult(rows.Count > limit
                ? new Page<Row>(rows.GetRange(0, limit), rows[limit - 1].Key)
                : new Page<Row>(rows, null));
        }
    }

    public async Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit)
    {
        var page = await ReadAsync(set, after, before, limit);
        return new Page<string>([.. page.Items.Select(r => r.Key)], page.Next);
    }

    public Task<Row?> GetAsync(RowSet set, string key)
    {
        lock (_sets)
        {
            return Task.FromResult(_sets.TryGetValue(set, out var sorted) && sorted.TryGetValue(key, out var value) ? new Row(key, value) : null);
        }
    }

    public Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
    {
        if (writes.Count > TableLimits.MaxActionsPerTransaction)
        {
            throw new ArgumentException($"at most {TableLimits.MaxActionsPerTransaction} writes per call", nameof(writes));
        }

        lock (_sets)
        {
            if (!_sets.TryGetValue(set, out var sorted))
            {
                _sets[set] = sorted = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            }

            foreach (var write in writes)
            {
                if (write.IsDelete)
                {
                    sorted.Remove(write.Key);
                }
                else
                {
                    sorted[write.Key] = write.Value!;
                }
            }
        }

        return Task.CompletedTask;
    }
}
