using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Import;

/// <summary>How the records of one key (one external id) are applied: in order, one at a time; records of different keys concurrently.</summary>
public static class KeyedRecords
{
    /// <summary>How many keys of one batch are applied at once.</summary>
    public const int Parallelism = 96;

    /// <summary>
    /// Runs at most <paramref name="parallelism"/> at once on the current scheduler: inside the
    /// import grain, so its work keeps the grain's single-threaded turns.
    /// </summary>
    public static ParallelOptions Options(int parallelism, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Current };

    /// <summary>Applies the records, returning their results in the records' order.</summary>
    public static async Task<RecordResult[]> ApplyAsync<T>(
        IReadOnlyList<T> records, Func<T, string> key, Func<T, Task<RecordResult>> apply, CancellationToken cancellationToken)
    {
        var results = new RecordResult[records.Count];
        var byKey = Enumerable.Range(0, records.Count).GroupBy(i => key(records[i]), StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(byKey, Options(Parallelism, cancellationToken), async (indexes, _) =>
        {
            foreach (var i in indexes)
            {
                results[i] = await apply(records[i]);
            }
        });
        return results;
    }

    /// <summary>
    /// Runs <paramref name="apply"/>, turning a directory error into the record's rejection (its
    /// field renamed in the import's terms). A grain that found storage holding another version than
    /// it knew (its own earlier write of unknown outcome had landed, say) has reloaded it and changed
    /// nothing: the record is applied once more against what storage holds, as a rerun would.
    /// </summary>
    public static async Task<RecordResult> GuardAsync(long position, Func<Task<RecordResult>> apply, Func<ErrorField?, ErrorField?>? rename = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await apply();
            }
            catch (DirectoryException e)
            {
                var field = rename is null ? e.Field : rename(e.Field);
                return RecordResult.Rejected(position, field == e.Field ? e : new DirectoryException(e.Code, field, e.Description));
            }
            catch (Orleans.Storage.InconsistentStateException) when (attempt < StaleStateAttempts)
            {
            }
        }
    }

    /// <summary>How many times a record is applied when its grains keep reloading newer state.</summary>
    private const int StaleStateAttempts = 3;
}
