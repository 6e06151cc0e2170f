using DirectoryService.Grains.Common;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Import;

/// <summary>How the records of one key (one external id) are applied: in order, one at a time; records of different keys concurrently.</summary>
public static class KeyedRecords
{
    /// <summary>
    /// How many keys of one batch are applied at once: a client batch's worth, so that its records
    /// wait on storage together — their writes share transactions (group commit, users of one
    /// placement share a partition) and storage far away costs the batch a few round trips, not a few
    /// per 96 records (96 before 2026-12-07: at scale 0.25 with storage 10 ms away the import took
    /// 72.1 s, and 51.8 s at 1,000).
    /// </summary>
    public const int Parallelism = 1000;

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
    /// field renamed in the import's terms); a grain that reloaded newer state has the record applied
    /// once more (<see cref="StaleStateRetry"/>).
    /// </summary>
    public static async Task<RecordResult> GuardAsync(long position, Func<Task<RecordResult>> apply, Func<ErrorField?, ErrorField?>? rename = null)
    {
        try
        {
            return await StaleStateRetry.RunAsync(apply);
        }
        catch (DirectoryException e)
        {
            return Rejected(position, e, rename);
        }
    }

    /// <summary>A record's rejection with <paramref name="error"/>, its field renamed in the import's terms.</summary>
    public static RecordResult Rejected(long position, DirectoryException error, Func<ErrorField?, ErrorField?>? rename = null)
    {
        var field = rename is null ? error.Field : rename(error.Field);
        return RecordResult.Rejected(position, field == error.Field ? error : new DirectoryException(error.Code, field, error.Description));
    }
}
