using Azure;
using Azure.Data.Tables;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Storage.Tables;
using Page = DirectoryService.Abstractions.Common.Page<DirectoryService.Abstractions.Rows.Row>;

namespace DirectoryService.Storage.Rows;

/// <summary>
/// Row sets in an Azure table: one partition per set (<c>{service}~{tenant}~{kind}~{owner}</c>), one
/// entity per row. A multi-row write is an entity group transaction within that partition; writes of
/// different callers to one partition are group-committed (<see cref="TransactionBatcher"/>).
/// </summary>
public sealed class TableRowStore(TableClient table, string serviceId) : IRowStore
{
    private readonly TransactionBatcher _writes = new(table);
    private const string ValueProperty = "V";
    private static readonly string[] Columns = ["RowKey", ValueProperty];

    public Task InitializeAsync(CancellationToken cancellationToken) => table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<Page> ReadAsync(RowSet set, string after, string before, int limit)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(set)} and RowKey gt {after} and RowKey lt {before}");
        var rows = new List<Row>(Math.Min(limit + 1, 1000));
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), select: Columns))
        {
            rows.Add(new Row(entity.RowKey, entity.GetBinary(ValueProperty) ?? []));
            if (rows.Count > limit)
            {
                break;
            }
        }

        return rows.Count > limit
            ? new Page(rows.GetRange(0, limit), rows[limit - 1].Key)
            : new Page(rows, null);
    }

    public async Task<Row?> GetAsync(RowSet set, string key)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition(set), key, Columns);
        return response.HasValue && response.Value is { } entity ? new Row(key, entity.GetBinary(ValueProperty) ?? []) : null;
    }

    public async Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes)
    {
        if (writes.Count > IRowStore.MaxWritesPerCall)
        {
            throw new ArgumentException($"at most {IRowStore.MaxWritesPerCall} writes per call", nameof(writes));
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

    private string Partition(RowSet set) => TableKeys.Join(serviceId, set.TenantId, set.Kind, set.Owner);

    private static TableEntity Entity(string partition, RowWrite write) => new(partition, write.Key) { [ValueProperty] = write.Value };
}
