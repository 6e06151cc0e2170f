using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// Owed rows read ahead with the rest of a group's row set (<see cref="GroupMemberRows.PreloadAsync"/>),
/// served once to the outbox's first read of them — unless a read of them or a write of the set came
/// in between, which makes what was read ahead possibly out of date. Not thread-safe: one activation's state.
/// </summary>
public sealed class OwedReadAhead
{
    private IReadOnlyList<Row>? _rows;
    private long _version;

    /// <summary>Where the set stands now: pass it to <see cref="Keep"/> with rows read from here on.</summary>
    public long Version => _version;

    /// <summary>Keeps <paramref name="rows"/>, read when the set stood at <paramref name="readAt"/>, if nothing overtook that read.</summary>
    public void Keep(long readAt, IReadOnlyList<Row> rows)
    {
        if (readAt == _version)
        {
            _rows = rows;
        }
    }

    /// <summary>The rows kept, once; null when there are none to serve.</summary>
    public IReadOnlyList<Row>? Take()
    {
        var rows = _rows;
        Forget();
        return rows;
    }

    /// <summary>After a read of the owed rows or any write of the set: what was read ahead may be out of date.</summary>
    public void Forget() => (_rows, _version) = (null, _version + 1);
}
