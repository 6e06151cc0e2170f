using System.Collections.Concurrent;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>
/// The silo's audit log, observed: each append and settle is noted with how many grain calls the
/// silo had received by then (so a test can show a record was stored before the write touched a
/// grain), and appends can be made to fail (the audit log unavailable).
/// </summary>
public sealed class ProbedAuditLog(IAuditLog inner, Func<long> grainCalls) : IAuditLog
{
    private readonly ConcurrentQueue<(string Step, string Operation, string Result, long GrainCalls)> _steps = new();

    public bool Unavailable { get; set; }

    public IReadOnlyCollection<(string Step, string Operation, string Result, long GrainCalls)> Steps => _steps;

    public async Task<AuditRecord> AppendAsync(AuditRecord record)
    {
        if (Unavailable)
        {
            throw new IOException("audit storage unavailable (test)");
        }

        var stored = await inner.AppendAsync(record);
        _steps.Enqueue(("append", record.Operation, record.Result, grainCalls()));
        return stored;
    }

    public async Task SettleAsync(AuditRecord pending, string result, IReadOnlyList<string> targets)
    {
        _steps.Enqueue(("settle", pending.Operation, result, grainCalls()));
        await inner.SettleAsync(pending, result, targets);
    }

    public Task<Page<AuditRecord>> ListAsync(string tenantId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit) =>
        inner.ListAsync(tenantId, from, to, after, limit);
}
