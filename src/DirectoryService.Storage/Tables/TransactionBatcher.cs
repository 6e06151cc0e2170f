using CallDeadline = DirectoryService.Abstractions.Common.CallDeadline;
using StorageUnavailableException = DirectoryService.Abstractions.Common.StorageUnavailableException;
using Azure;
using Azure.Data.Tables;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Group commit for one (possibly sharded) table. Each caller submits a unit: changes to one partition that must apply
/// all or none. While a write to a partition is in flight, units arriving for it wait and then go
/// together in one entity group transaction (up to 100 changes, no row twice), so Azure Table's
/// per-request cost is paid once for many callers, as long as their payloads add up to less than
/// Azure's 4 MiB (<see cref="TableLimits.BatchPayloadBudget"/>): large rows (grain state of up to
/// 720 KiB) go a few at a time. A unit arriving at an idle partition is written at once: group commit
/// adds no latency when there is nothing to share.
/// <para>
/// Outcomes stay per caller. When the shared transaction is rejected (nothing of it applied), each
/// unit is retried alone and gets its own answer, so one caller's lost etag race never fails
/// another. When the outcome is unknown (a fault or timeout), every unit in it fails with that
/// fault, exactly as a single request would.
/// </para>
/// </summary>
public sealed class TransactionBatcher(TableShards tables)
{
    /// <summary>Units waiting per partition; a partition is present while its writer runs.</summary>
    private readonly Dictionary<string, Queue<Unit>> _lanes = [];

    /// <summary>Applies <paramref name="changes"/> (all in one partition) atomically; returns the new etag of each changed row (null for deletes).</summary>
    public Task<IReadOnlyList<ETag?>> SubmitAsync(string partition, IReadOnlyList<TableTransactionAction> changes)
    {
        if (changes.Count is 0 or > TableLimits.MaxActionsPerTransaction)
        {
            throw new ArgumentOutOfRangeException(nameof(changes), $"a unit carries 1..{TableLimits.MaxActionsPerTransaction} changes");
        }

        var unit = new Unit(changes);
        bool lead;
        Queue<Unit>? waiting;
        lock (_lanes)
        {
            lead = !_lanes.TryGetValue(partition, out waiting);
            if (lead)
            {
                waiting = new Queue<Unit>();
                _lanes.Add(partition, waiting);
            }

            waiting!.Enqueue(unit);
        }

        if (lead)
        {
            // The lane serves every writer of the partition: it runs under no caller's deadline but each batch's own.
            _ = Task.Run(() =>
            {
                CallDeadline.Clear();
                return DrainAsync(partition, waiting);
            });
        }

        return unit.Done.Task;
    }

    private async Task DrainAsync(string partition, Queue<Unit> waiting)
    {
        while (true)
        {
            List<Unit> batch;
            lock (_lanes)
            {
                batch = Take(waiting);
                if (batch.Count == 0)
                {
                    _lanes.Remove(partition);
                    return;
                }
            }

            await CommitAsync(batch);
        }
    }

    /// <summary>Takes waiting units in order while they fit in one transaction (actions and payload) and touch distinct rows.</summary>
    private static List<Unit> Take(Queue<Unit> waiting)
    {
        var batch = new List<Unit>();
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        var bytes = 0L;
        while (waiting.TryPeek(out var next)
            && count + next.Changes.Count <= TableLimits.MaxActionsPerTransaction
            && (batch.Count == 0 || bytes + next.PayloadBytes <= TableLimits.BatchPayloadBudget)
            && next.Changes.All(c => !rows.Contains(c.Entity.RowKey)))
        {
            waiting.Dequeue();
            batch.Add(next);
            count += next.Changes.Count;
            bytes += next.PayloadBytes;
            rows.UnionWith(next.Changes.Select(c => c.Entity.RowKey));
        }

        return batch;
    }

    private async Task CommitAsync(List<Unit> batch)
    {
        // A batch may take as long as its most patient writer allows (none: as long as storage allows).
        var deadlines = batch.Select(u => u.Deadline).ToList();
        if (deadlines.All(d => d is not null))
        {
            CallDeadline.Set(deadlines.Max()!.Value);
        }
        else
        {
            CallDeadline.Clear();
        }

        if (batch.Count == 1)
        {
            await RunAloneAsync(batch[0]);
            return;
        }

        try
        {
            var etags = await SubmitAsync(batch[0], [.. batch.SelectMany(u => u.Changes)]);
            var offset = 0;
            foreach (var unit in batch)
            {
                unit.Done.TrySetResult([.. etags.Skip(offset).Take(unit.Changes.Count)]);
                offset += unit.Changes.Count;
            }
        }
        catch (TableTransactionFailedException)
        {
            // Rejected as a whole, nothing applied: let each unit meet its own fate.
            await Task.WhenAll(batch.Select(RunAloneAsync));
        }
        catch (Exception e)
        {
            foreach (var unit in batch)
            {
                unit.Done.TrySetException(Unanswered(e));
            }
        }
    }

    private TableClient Table(Unit unit) => tables.For(unit.Changes[0].Entity.PartitionKey);

    /// <summary>One entity group transaction: by the service's own writer where the table has one and it can write every property, else by the SDK.</summary>
    private async Task<IReadOnlyList<ETag?>> SubmitAsync(Unit first, IReadOnlyList<TableTransactionAction> changes)
    {
        if (tables.TransactionsFor(first.Changes[0].Entity.PartitionKey) is { } own && TableTransactions.CanWrite(changes))
        {
            return await own.SubmitAsync(changes);
        }

        var response = await Table(first).SubmitTransactionAsync(changes);
        return ETags(response.Value, 0, changes);
    }

    /// <summary>Writes one unit by itself, with the plain single-row call when it has one change, so its errors are the usual ones.</summary>
    private async Task RunAloneAsync(Unit unit)
    {
        var table = Table(unit);
        try
        {
            if (unit.Changes.Count > 1)
            {
                unit.Done.TrySetResult(await SubmitAsync(unit, unit.Changes));
                return;
            }

            var change = unit.Changes[0];
            Response single = change.ActionType switch
            {
                TableTransactionActionType.Add => await table.AddEntityAsync(change.Entity),
                TableTransactionActionType.UpdateReplace => await table.UpdateEntityAsync(change.Entity, change.ETag, TableUpdateMode.Replace),
                TableTransactionActionType.UpdateMerge => await table.UpdateEntityAsync(change.Entity, change.ETag, TableUpdateMode.Merge),
                TableTransactionActionType.UpsertReplace => await table.UpsertEntityAsync(change.Entity, TableUpdateMode.Replace),
                TableTransactionActionType.UpsertMerge => await table.UpsertEntityAsync(change.Entity, TableUpdateMode.Merge),
                TableTransactionActionType.Delete => await table.DeleteEntityAsync(change.Entity.PartitionKey, change.Entity.RowKey, change.ETag),
                _ => throw new NotSupportedException(change.ActionType.ToString()),
            };
            unit.Done.TrySetResult([change.ActionType == TableTransactionActionType.Delete ? null : single.Headers.ETag]);
        }
        catch (Exception e)
        {
            unit.Done.TrySetException(Unanswered(e));
        }
    }

    /// <summary>
    /// No caller cancels a lane's write, so a cancellation is the storage pipeline's own time limit
    /// (seen under a stalled Azurite): storage unavailable, outcome unknown. Passed on as a
    /// cancellation it would cancel the writer's task instead of failing it, and reach the door as
    /// neither an error nor an answer.
    /// </summary>
    private static Exception Unanswered(Exception e) =>
        e is OperationCanceledException ? new StorageUnavailableException("storage did not answer in time", e) : e;

    private static ETag?[] ETags(IReadOnlyList<Response> responses, int offset, IReadOnlyList<TableTransactionAction> changes) =>
        [.. changes.Select((c, i) => c.ActionType == TableTransactionActionType.Delete ? (ETag?)null : responses[offset + i].Headers.ETag)];

    private sealed class Unit(IReadOnlyList<TableTransactionAction> changes)
    {
        public IReadOnlyList<TableTransactionAction> Changes { get; } = changes;

        /// <summary>What the unit adds to a transaction's payload (estimated once).</summary>
        public long PayloadBytes { get; } = changes.Sum(c => (long)TableLimits.EstimatedBytes(c));

        public TaskCompletionSource<IReadOnlyList<ETag?>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The deadline of the write the unit belongs to, if it has one.</summary>
        public DateTimeOffset? Deadline { get; } = CallDeadline.Current;
    }
}
