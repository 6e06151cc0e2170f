using Azure.Data.Tables;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Storage.Tables;
using Page = DirectoryService.Abstractions.Common.Page<DirectoryService.Abstractions.Audit.AuditRecord>;

namespace DirectoryService.Storage.Audit;

/// <summary>
/// The audit log in an Azure table: one partition per tenant, row keys ordered by time. Records
/// are only ever inserted (an insert never overwrites), and no code path updates or deletes them.
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

    private TableEntity Entity(AuditRecord stored) => new(Partition(stored.TenantId), stored.Id)
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
        var filter = inclusive
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition(tenantId)} and RowKey ge {lower} and RowKey lt {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition(tenantId)} and RowKey gt {lower} and RowKey lt {upper}");
        var records = new List<AuditRecord>();
        await foreach (var e in tables.For(Partition(tenantId)).QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000)))
        {
            records.Add(new AuditRecord(
                e.RowKey, e.GetDateTimeOffset("Time") ?? default, tenantId, e.GetString("Subject") ?? "", e.GetString("App") ?? "",
                e.GetString("Operation") ?? "", Split(e.GetString("Targets")), Split(e.GetString("Changed")),
                e.GetString("Result") ?? "", e.GetString("Correlation") ?? ""));
            if (records.Count > limit)
            {
                break;
            }
        }

        return records.Count > limit ? new Page(records.GetRange(0, limit), records[limit - 1].Id) : new Page(records, null);
    }

    private string Partition(string tenantId) => TableKeys.Join(serviceId, tenantId);

    private static string[] Split(string? value) => string.IsNullOrEmpty(value) ? [] : value.Split(',');
}
