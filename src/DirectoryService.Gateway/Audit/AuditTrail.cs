using System.Diagnostics;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Gateway.Audit;

/// <summary>Writes audit records for calls: who, in which tenant, what, on which ids, with what result.</summary>
public sealed partial class AuditTrail(IAuditLog log, TimeProvider time, ILogger<AuditTrail> logger)
{
    /// <summary>Log under which attempts without a valid token are recorded.</summary>
    public const string Unauthenticated = "_unauthenticated";

    /// <summary>Log under which operator calls that name no tenant are recorded.</summary>
    public const string Operators = "_operators";

    /// <summary>
    /// Stores the pending record of a write before it runs. If it cannot be stored, throws
    /// <see cref="AuditUnavailableException"/>: the door refuses the call (UNAVAILABLE, 503) and nothing
    /// changes, since no write runs without its record.
    /// </summary>
    public async Task<AuditRecord> BeginAsync(HttpContext http, string operation, IReadOnlyList<string> targets, IReadOnlyList<string> changed, string? tenantHint)
    {
        try
        {
            return await log.AppendAsync(Record(http, operation, targets, changed, AuditResults.Pending, tenantHint));
        }
        catch (Exception e)
        {
            LogBeginFailed(logger, e, operation);
            throw new AuditUnavailableException();
        }
    }

    /// <summary>Records the outcome of a write. If that fails, the record stays PENDING (durable), and the silo says so loudly.</summary>
    public async Task SettleAsync(AuditRecord pending, string result, IReadOnlyList<string> targets)
    {
        try
        {
            await log.SettleAsync(pending, result, targets);
        }
        catch (Exception e)
        {
            LogSettleFailed(logger, e, pending.Operation, pending.TenantId, pending.Id, result);
        }
    }

    /// <summary>Records a call refused before it ran (authentication, authorization).</summary>
    public Task RecordRefusalAsync(HttpContext http, string operation, IReadOnlyList<string> targets, string result, string? tenantHint) =>
        // The call is refused anyway; a lost record of a refusal must be loud.
        AppendLoudAsync(Record(http, operation, targets, [], result, tenantHint), LogRefusalLost);

    /// <summary>
    /// Records how an operation ended that stored no pending record because it changed nothing (an
    /// import whose batches were all unchanged): who ran it, and the result.
    /// </summary>
    public Task RecordOutcomeAsync(HttpContext http, string operation, string result, string? tenantHint) =>
        AppendLoudAsync(Record(http, operation, [], [], result, tenantHint), LogOutcomeLost);

    private async Task AppendLoudAsync(AuditRecord record, Action<ILogger, Exception, string, string, string> lost)
    {
        try
        {
            await log.AppendAsync(record);
        }
        catch (Exception e)
        {
            lost(logger, e, record.Operation, record.TenantId, record.Result);
        }
    }

    private AuditRecord Record(HttpContext http, string operation, IReadOnlyList<string> targets, IReadOnlyList<string> changed, string result, string? tenantHint)
    {
        var user = http.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        var tenant = authenticated ? user.FindFirst(DirectoryClaims.Tenant)?.Value ?? tenantHint ?? Operators : Unauthenticated;
        return new AuditRecord(
            "", time.GetUtcNow(), tenant,
            user.FindFirst(DirectoryClaims.Subject)?.Value ?? "",
            user.FindFirst(DirectoryClaims.App)?.Value ?? "",
            operation, targets, changed, result,
            Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit log unavailable: refused {Operation} before it changed anything")]
    private static partial void LogBeginFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Critical, Message = "AUDIT RECORD NOT SETTLED: {Operation} in tenant {Tenant} ended {Result}; record {RecordId} stays PENDING")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string operation, string tenant, string recordId, string result);

    [LoggerMessage(Level = LogLevel.Critical, Message = "AUDIT RECORD LOST: refused {Operation} in tenant {Tenant} ({Result})")]
    private static partial void LogRefusalLost(ILogger logger, Exception exception, string operation, string tenant, string result);

    [LoggerMessage(Level = LogLevel.Critical, Message = "AUDIT RECORD LOST: {Operation} in tenant {Tenant} ended {Result} (it changed nothing)")]
    private static partial void LogOutcomeLost(ILogger logger, Exception exception, string operation, string tenant, string result);
}

/// <summary>The audit log could not store a write's record, so the write was not run.</summary>
public sealed class AuditUnavailableException() : Exception("the audit log could not be written, so nothing was changed; retry later");
