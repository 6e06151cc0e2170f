using Azure.Data.Tables;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Common;
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
/// A record's targets are stored packed, 16 bytes per id (<c>TargetIds</c>, binary), when every one
/// is an id as the directory mints them, and as comma-separated text (<c>Targets</c>) otherwise: an
/// import's record names up to 400 ids, 14.8 KB as text and 6.4 KB packed, and the emulator re-writes
/// every byte it holds at each save. Records written as text before read as they were.
/// Appends are group-committed (<see cref="TransactionBatcher"/>): records of one tenant and second
/// waiting while a write is in flight go together in one transaction, and each caller returns once
/// its own is stored.
/// </summary>
public sealed class TableAuditLog : IAuditLog
{
    /// <summary>Leading digits of a record id that name its partition: its time in whole seconds.</summary>
    private const int BucketDigits = 12;

    private const string Targets = "Targets";
    private const string TargetIds = "TargetIds";

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
        var entity = new TableEntity(Partition(pending.TenantId, pending.Id), pending.Id) { ["Result"] = result };

        // A merge keeps the properties it does not name: the form not used now is cleared.
        SetTargets(entity, targets, clearOther: true);
        await _writes.SubmitAsync(entity.PartitionKey, [new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, Azure.ETag.All)]);
    }

    private TableEntity Entity(AuditRecord stored)
    {
        var entity = new TableEntity(Partition(stored.TenantId, stored.Id), stored.Id)
        {
            ["Time"] = stored.Time,
            ["Subject"] = stored.Subject,
            ["App"] = stored.App,
            ["Operation"] = stored.Operation,
            ["Changed"] = string.Join(',', stored.ChangedProperties),
            ["Result"] = stored.Result,
            ["Correlation"] = stored.CorrelationId,
        };
        SetTargets(entity, stored.Targets, clearOther: false);
        return entity;
    }

    /// <summary>Stores targets packed when every one packs exactly, as text otherwise (see the class).</summary>
    private static void SetTargets(TableEntity entity, IReadOnlyList<string> targets, bool clearOther)
    {
        if (targets.Count > 0 && targets.All(PackedIds.Packs))
        {
            entity[TargetIds] = PackedIds.Pack(targets);
            if (clearOther)
            {
                entity[Targets] = "";
            }
        }
        else
        {
            entity[Targets] = string.Join(',', targets);
            if (clearOther)
            {
                entity[TargetIds] = Array.Empty<byte>();
            }
        }
    }

    private static IReadOnlyList<string> GetTargets(TableEntity entity) =>
        entity.GetBinary(TargetIds) is { Length: > 0 } packed ? [.. PackedIds.Unpack(packed)] : Split(entity.GetString(Targets));

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
                e.GetString("Operation") ?? "", GetTargets(e), Split(e.GetString("Changed")),
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
