using Azure.Data.Tables;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Storage.Tables;
using Page = DirectoryService.Abstractions.Common.Page<DirectoryService.Abstractions.Audit.AuditRecord>;

namespace DirectoryService.Storage.Audit;

/// <summary>
/// The audit log in an Azure table: each tenant's records spread over 16 partitions by a hash of the
/// record id (Azurite scans a whole partition on every insert, so one partition per tenant made
/// every audited write slower as the log grew), row keys ordered by time; a listing reads the
/// tenant's partitions and merges them in id order. Records are only ever inserted (an insert never
/// overwrites), and no code path updates or deletes them.
/// Appends are group-committed (<see cref="TransactionBatcher"/>): records waiting while a write is in
/// flight go together in one transaction per tenant, and each caller returns once its own is stored.
/// </summary>
public sealed class TableAuditLog(TableShards tables, string serviceId) : IAuditLog
{
    private readonly TransactionBatcher _writes = new(tables);

    public Task InitializeAsync(CancellationToken cancellationToken) => tables.CreateIfNotExistsAsync(cancellationToken);

    public async Task<AuditRecord> AppendAsync(AuditRecord record)
    {
        var stored = record with { Id = AuditIds.New(record.Time) };
        var entity = Entity(stored);
        await _writes.SubmitAsync(entity.PartitionKey, [new TableTransactionAction(TableTransactionActionType.Add, entity)]);
        return stored;
    }

    private const int Spread = 16;

    private TableEntity Entity(AuditRecord stored) => new(Partition(stored.TenantId, (int)(TableKeys.StableHash(stored.Id) % Spread)), stored.Id)
    {
            ["Time"] = stored.Time,
            ["Subject"] = stored.Subject,
            ["App"] = stored.App,
            ["Operation"] = stored.Operation,
            ["Targets"] = string.Join(',', stored.Targets),
            ["Changed"] = string.Join(',', stored.ChangedProperties),
            ["Result"] = stored.Result,
            ["Correlation"] = stored.CorrelationId,
    };

    public async Task<Page> ListAsync(string tenantId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit)
    {
        var (lower, inclusive, upper) = AuditIds.Range(from, to, after);
        var parts = await Task.WhenAll(Enumerable.Range(0, Spread).Select(spread => ReadAsync(Partition(tenantId, spread), lower, inclusive, upper, limit + 1)));
        var records = parts.SelectMany(p => p).OrderBy(e => e.RowKey, StringComparer.Ordinal).Take(limit + 1)
            .Select(e => new AuditRecord(
                e.RowKey, e.GetDateTimeOffset("Time") ?? default, tenantId, e.GetString("Subject") ?? "", e.GetString("App") ?? "",
                e.GetString("Operation") ?? "", Split(e.GetString("Targets")), Split(e.GetString("Changed")),
                e.GetString("Result") ?? "", e.GetString("Correlation") ?? ""))
            .ToList();
        return records.Count > limit ? new Page(records.GetRange(0, limit), records[limit - 1].Id) : new Page(records, null);
    }

    /// <summary>Up to <paramref name="count"/> records of one partition in the id range, in id order.</summary>
    private async Task<List<TableEntity>> ReadAsync(string partition, string lower, bool inclusive, string upper, int count)
    {
        var filter = inclusive
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {lower} and RowKey lt {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {lower} and RowKey lt {upper}");
        var entities = new List<TableEntity>();
        await foreach (var e in tables.For(partition).QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(count, 1000)))
        {
            entities.Add(e);
            if (entities.Count == count)
            {
                break;
            }
        }

        return entities;
    }

    private string Partition(string tenantId, int spread) =>
        TableKeys.Join(serviceId, tenantId, spread.ToString("x1", System.Globalization.CultureInfo.InvariantCulture));

    private static string[] Split(string? value) => string.IsNullOrEmpty(value) ? [] : value.Split(',');
}
