using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>Counts the rows a silo reads and writes, so tests can show what one operation costs.</summary>
public sealed class CountingRowStore(IRowStore inner) : IRowStore
{
    private long _read;
    private long _written;
    private long _bytes;

    public long RowsRead => Interlocked.Read(ref _read);

    public long RowsWritten => Interlocked.Read(ref _written);

    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>Writes to the sets this matches fail (as an unreachable storage would) while it is set.</summary>
    public Func<RowSet, bool>? FailWrites { get; set; }

    public async Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit)
    {
        var page = await inner.ReadAsync(set, after, before, limit);
        Interlocked.Add(ref _read, page.Items.Count);
        return page;
    }

    public async Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit)
    {
        var page = await inner.ReadKeysAsync(set, after, before, limit);
        Interlocked.Add(ref _read, page.Items.Count);
        return page;
    }

    public async Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit)
    {
        var page = await inner.ReadSpanAsync(from, after, limit);
        Interlocked.Add(ref _read, page.Items.Count);
        return page;
    }

    public async Task<Row?> GetAsync(RowSet set, string key)
    {
        Interlocked.Increment(ref _read);
        return await inner.GetAsync(set, key);
    }

    public async Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
    {
        if (FailWrites?.Invoke(set) == true)
        {
            throw new TimeoutException($"injected: writes to {set} fail");
        }

        await inner.WriteAsync(set, writes);
        Interlocked.Add(ref _written, writes.Count);
        Interlocked.Add(ref _bytes, writes.Sum(w => w.Value?.Length ?? 0));
    }
}
