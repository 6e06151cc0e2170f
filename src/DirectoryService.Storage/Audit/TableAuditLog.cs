using Azure.Data.Tables;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Storage.Tables;
using Page = DirectoryService.Abstractions.Common.Page<DirectoryService.Abstractions.Audit.AuditRecord>;

namespace DirectoryService.Storage.Audit;

/// <summary>
/// The audit log in an Azure table. A tenant's records are partitioned by the second their id
/// (time-ordered) falls in, <c>{service}~{tenant}~{seconds}</c>, with the id as row key, so the
/// table's own (partition, row) order is time order and one range query lists a tenant's records in
/// order without merging. Partitions stay as small as a tenant's writes in one second (Azurite scans
/// a partition on every insert: with a fixed set of partitions per tenant every audited write grew
/// slower as the log grew), and all of a tenant's partitions share one physical table
/// (<see cref="TableShards.By"/>) so the range query stays in one table. Records are only ever
/// inserted (an insert never overwrites) and never deleted; the one update is a write's record
/// settled from PENDING to its outcome, once.
/// Appends are group-committed (<see cref="TransactionBatcher"/>): records of one tenant and second
/// waiting while a write is in flight go together in one transaction, and each caller returns once
/// its own is stored.
/// </summary>
public sealed class TableAuditLog : IAuditLog
{
    /// <summary>Leading digits of a record id that name its partition: its time in whole seconds.</summary>
    private const int BucketDigits = 12;

    private readonly TableShards _tables;
    private readonly TransactionBatcher _writes;
    private readonly string _serviceId;

    public TableAuditLog(TableShards tables, string serviceId)
    {
        _tables = tables.By(TableKeys.Parent);
        _writes = new TransactionBatcher(_tables);
        _serviceId = serviceId;
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _tables.CreateIfNotExistsAsync(cancellationToken);

    public async Task<AuditRecord> AppendAsync(AuditRecord record)
    {
        using var activity = StorageTelemetry.Start("audit", "write");
        var stored = record with { Id = AuditIds.New(record.Time) };
        var entity = Entity(stored);
        await _writes.SubmitAsync(entity.PartitionKey, [new TableTransactionAction(TableTransactionActionType.Add, entity)]);
        return stored;
    }

    public async Task SettleAsync(AuditRecord pending, string result, IReadOnlyList<string> targets)
    {
        using var activity = StorageTelemetry.Start("audit", "write");
        var entity = new TableEntity(Partition(pending.TenantId, pending.Id), pending.Id)
        {
            ["Result"] = result,
            ["Targets"] = string.Join(',', targets),
        };
        await _writes.SubmitAsync(entity.PartitionKey, [new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, Azure.ETag.All)]);
    }

    private TableEntity Entity(AuditRecord stored) => new(Partition(stored.TenantId, stored.Id), stored.Id)
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
        using var activity = StorageTelemetry.Start("audit", "query");
        var (lower, inclusive, upper) = AuditIds.Range(from, to, after);

        // Every id in [lower, upper) lies in a partition between these two, and in no other tenant's.
        var first = Partition(tenantId, lower);
        var last = Partition(tenantId, upper);
        var filter = inclusive
            ? TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and RowKey ge {lower} and RowKey lt {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and RowKey gt {lower} and RowKey lt {upper}");
        var records = new List<AuditRecord>();
        await foreach (var e in _tables.For(first).QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000)))
        {
            records.Add(new AuditRecord(
                e.RowKey, e.GetDateTimeOffset("Time") ?? default, tenantId, e.GetString("Subject") ?? "", e.GetString("App") ?? "",
                e.GetString("Operation") ?? "", Split(e.GetString("Targets")), Split(e.GetString("Changed")),
                e.GetString("Result") ?? "", e.GetString("Correlation") ?? ""));
            if (records.Count > limit)
            {
                return new Page(records.GetRange(0, limit), records[limit - 1].Id);
            }
        }

        return new Page(records, null);
    }

    /// <summary>
    /// The partition of a record id (or of a range bound: a bound shorter than a bucket is its own
    /// bucket, which sorts at or below the bucket of every id at or above it).
    /// </summary>
    private string Partition(string tenantId, string id) =>
        TableKeys.Prefix(_serviceId, tenantId) + (id.Length > BucketDigits ? id[..BucketDigits] : id);

    private static string[] Split(string? value) => string.IsNullOrEmpty(value) ? [] : value.Split(',');
}
