namespace DirectoryService.Grains.Groups;

/// <summary>
/// The encoded member buckets a group activation read or wrote most recently, within a byte budget.
/// The group grain alone writes its member rows and has one activation at a time, so a cached bucket
/// is what storage holds as long as every write of the activation is applied here once it succeeds;
/// a write whose outcome is unknown empties the cache. A small group (one bucket) then reads no row
/// for a change; a large one keeps only its most recently used buckets.
/// </summary>
public sealed class BucketCache(int maxBytes)
{
    private int _maxBytes = maxBytes;
    private readonly Dictionary<string, LinkedListNode<(string Bucket, byte[] Value)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Bucket, byte[] Value)> _recent = new();
    private int _bytes;

    /// <summary>The default budget: about 16 full buckets.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    public int Bytes => _bytes;

    /// <summary>Raises the budget (a bulk import of a large group keeps all its buckets); it never shrinks.</summary>
    public void Widen(int maxBytes) => _maxBytes = Math.Max(_maxBytes, maxBytes);

    public bool TryGet(string bucket, out byte[] value)
    {
        if (_entries.TryGetValue(bucket, out var node))
        {
            _recent.Remove(node);
            _recent.AddLast(node);
            value = node.Value.Value;
            return true;
        }

        value = [];
        return false;
    }

    public void Set(string bucket, byte[] value)
    {
        Remove(bucket);
        _entries[bucket] = _recent.AddLast((bucket, value));
        _bytes += value.Length;
        while (_bytes > _maxBytes && _recent.First is { } oldest && oldest != _recent.Last)
        {
            Remove(oldest.Value.Bucket);
        }
    }

    public void Remove(string bucket)
    {
        if (_entries.Remove(bucket, out var node))
        {
            _recent.Remove(node);
            _bytes -= node.Value.Value.Length;
        }
    }

    public void Clear()
    {
        _entries.Clear();
        _recent.Clear();
        _bytes = 0;
    }
}
