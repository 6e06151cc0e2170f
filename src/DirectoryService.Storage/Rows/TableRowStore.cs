using Azure;
using Azure.Data.Tables;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Storage.Tables;
using Page = DirectoryService.Abstractions.Common.Page<DirectoryService.Abstractions.Rows.Row>;
using Pages = DirectoryService.Abstractions.Common;

namespace DirectoryService.Storage.Rows;

/// <summary>
/// Row sets in an Azure table: one partition per set (<c>{service}~{tenant}~{kind}~{owner}</c>), one
/// entity per row. A multi-row write is an entity group transaction within that partition; writes of
/// different callers to one partition are group-committed (<see cref="TransactionBatcher"/>).
/// A tenant's sets of a spanned kind (<see cref="RowSet.Spanned"/>) share one physical table, so a
/// span is one range query over their partitions, whose (partition, row) order is span order.
/// </summary>
public sealed class TableRowStore : IRowStore
{
    private readonly TableShards _tables;
    private readonly TransactionBatcher _writes;
    private readonly string _serviceId;

    public TableRowStore(TableShards tables, string serviceId)
    {
        _tables = tables.By(ShardKey);
        _writes = new TransactionBatcher(_tables);
        _serviceId = serviceId;
    }

    private const string ValueProperty = "V";
    private static readonly string[] Columns = ["RowKey", ValueProperty];
    private static readonly string[] KeyColumns = ["RowKey"];

    public Task InitializeAsync(CancellationToken cancellationToken) => _tables.CreateIfNotExistsAsync(cancellationToken);

    public Task<Page> ReadAsync(RowSet set, string after, string before, int limit) =>
        QueryAsync(set, after, before, limit, Columns, e => new Row(e.RowKey, e.GetBinary(ValueProperty) ?? []), r => r.Key);

    public Task<Pages.Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit) =>
        QueryAsync(set, after, before, limit, KeyColumns, e => e.RowKey, k => k);

    public Task<Page> ReadSpanAsync(RowSet from, string after, int limit)
    {
        if (!RowSet.Spanned.Contains(from.Kind))
        {
            throw new ArgumentException($"row sets of kind '{from.Kind}' are not stored for span reads", nameof(from));
        }

        var first = Partition(from);

        // Every partition of the tenant's kind starts with "{service}~{tenant}~{kind}~" and sorts below that prefix with its '~' raised by one.
        var end = KindPrefix(from) + (char)(TableKeys.Separator + 1);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {end} and (PartitionKey gt {first} or RowKey gt {after})");
        return QueryAsync(first, filter, limit, Columns, e => new Row(e.RowKey, e.GetBinary(ValueProperty) ?? []), r => r.Key);
    }

    private Task<Pages.Page<T>> QueryAsync<T>(RowSet set, string after, string before, int limit, string[] columns, Func<TableEntity, T> read, Func<T, string> key)
    {
        var partition = Partition(set);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after} and RowKey lt {before}");
        return QueryAsync(partition, filter, limit, columns, read, key);
    }

    private async Task<Pages.Page<T>> QueryAsync<T>(string partition, string filter, int limit, string[] columns, Func<TableEntity, T> read, Func<T, string> key)
    {
        using var activity = StorageTelemetry.Start("rows", "query");
        var items = new List<T>(Math.Min(limit + 1, 1000));
        await foreach (var entity in _tables.For(partition).QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), select: columns))
        {
            items.Add(read(entity));
            if (items.Count > limit)
            {
                break;
            }
        }

        return items.Count > limit
            ? new Pages.Page<T>(items.GetRange(0, limit), key(items[limit - 1]))
            : new Pages.Page<T>(items, null);
    }

    public async Task<Row?> GetAsync(RowSet set, string key)
    {
        using var activity = StorageTelemetry.Start("rows", "read");
        var partition = Partition(set);
        var response = await _tables.For(partition).GetEntityIfExistsAsync<TableEntity>(partition, key, Columns);
        return response.HasValue && response.Value is { } entity ? new Row(key, entity.GetBinary(ValueProperty) ?? []) : null;
    }

    public async Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
    {
        using var activity = StorageTelemetry.Start("rows", "write");
        if (writes.Count > TableLimits.MaxActionsPerTransaction)
        {
            throw new ArgumentException($"at most {TableLimits.MaxActionsPerTransaction} writes per call", nameof(writes));
        }

        if (writes.Count == 0)
        {
            return;
        }

        var partition = Partition(set);
        try
        {
            await _writes.SubmitAsync(partition, [.. writes.Select(w => w.IsDelete
                ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, w.Key), ETag.All)
                : new TableTransactionAction(TableTransactionActionType.UpsertReplace, Entity(partition, w)))]);
        }
        catch (RequestFailedException e) when (writes is [{ IsDelete: true }] && TableErrors.IsNotFound(e))
        {
            // Already gone: the outcome the caller wanted.
        }
    }

    private string Partition(RowSet set) => TableKeys.Join(_serviceId, set.TenantId, set.Kind, set.Owner);

    private string KindPrefix(RowSet set) => TableKeys.Prefix(_serviceId, set.TenantId, set.Kind);

    /// <summary>What picks a partition's physical table: the whole key, or for a spanned kind the key without its owner.</summary>
    private static string ShardKey(string partitionKey)
    {
        // "{service}~{tenant}~{kind}~{owner}": the kind is the last part of the key's parent.
        var set = TableKeys.Parent(partitionKey);
        var above = TableKeys.Parent(set);
        return above != set && RowSet.Spanned.Contains(set[(above.Length + 1)..]) ? set : partitionKey;
    }

    private static TableEntity Entity(string partition, RowWrite write) => new(partition, write.Key) { [ValueProperty] = write.Value };
}
