namespace DirectoryService.Grains.Common;

/// <summary>
/// One read at a time inside an activation, shared by every call that waits for it while it runs
/// (a flush of an import asks a group thousands of questions at once; each used to read by itself).
/// After <see cref="Invalidate"/> — what storage holds became unknown — a read begun before is
/// reported as not current, and the next caller starts a new one.
/// </summary>
public sealed class SharedRead<T>
{
    private (Task<T> Read, long Epoch)? _running;
    private long _epoch;

    /// <summary>Whether <see cref="Invalidate"/> was ever called.</summary>
    public bool EverInvalidated => _epoch > 0;

    public void Invalidate()
    {
        _epoch++;
        _running = null;
    }

    /// <summary>The running read's value (starting <paramref name="read"/> if none runs), and whether no <see cref="Invalidate"/> came since it began.</summary>
    public async Task<(T Value, bool Current)> ReadAsync(Func<Task<T>> read)
    {
        var running = _running ??= (read(), _epoch);
        try
        {
            var value = await running.Read;
            return (value, running.Epoch == _epoch);
        }
        finally
        {
            if (_running is { } now && now.Read == running.Read)
            {
                _running = null;
            }
        }
    }
}
