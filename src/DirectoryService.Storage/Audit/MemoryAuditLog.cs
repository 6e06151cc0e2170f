using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Storage.Audit;

/// <summary>The audit log in process memory, for the in-memory mode (tests and demos): lost on exit.</summary>
public sealed class MemoryAuditLog : IAuditLog
{
    private readonly SortedDictionary<(string Tenant, string Id), AuditRecord> _records = [];

    public Task<AuditRecord> AppendAsync(AuditRecord record)
    {
        var stored = record with { Id = AuditIds.New(record.Time) };
        lock (_records)
        {
            _records.Add((stored.TenantId, stored.Id), stored);
        }

        return Task.FromResult(stored);
    }

    public Task SettleAsync(AuditRecord pending, string result, IReadOnlyList<string> targets)
    {
        lock (_records)
        {
            var key = (pending.TenantId, pending.Id);
            _records[key] = _records[key] with { Result = result, Targets = targets };
        }

        return Task.CompletedTask;
    }

    public Task<Page<AuditRecord>> ListAsync(string tenantId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit)
    {
        lock (_records)
        {
            var (lower, inclusive, upper) = AuditIds.Range(from, to, after);
            var matching = _records.Values
                .Where(r => r.TenantId == tenantId && string.CompareOrdinal(r.Id, upper) < 0
                    && string.CompareOrdinal(r.Id, lower) >= (inclusive ? 0 : 1))
                .Take(limit + 1).ToList();
            return Task.FromResult(matching.Count > limit
                ? new Page<AuditRecord>(matching.GetRange(0, limit), matching[limit - 1].Id)
                : new Page<AuditRecord>(matching, null));
        }
    }
}
