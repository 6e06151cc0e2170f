using System.Diagnostics;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Gateway.Audit;

/// <summary>Writes audit records for calls: who, in which tenant, what, on which ids, with what result.</summary>
public sealed partial class AuditTrail(IAuditLog log, TimeProvider time, ILogger<AuditTrail> logger)
{
    /// <summary>Tenant under which attempts without a valid token are recorded.</summary>
    public const string Unauthenticated = "_unauthenticated";

    /// <summary>Tenant under which operator calls that name no tenant are recorded.</summary>
    public const string Operators = "_operators";

    public async Task RecordAsync(HttpContext http, string operation, IReadOnlyList<string> targets, IReadOnlyList<string> changed, string result, string? tenantHint = null)
    {
        var user = http.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        var tenant = authenticated ? user.FindFirst(DirectoryClaims.Tenant)?.Value ?? tenantHint ?? Operators : Unauthenticated;
        var record = new AuditRecord(
            "", time.GetUtcNow(), tenant,
            user.FindFirst(DirectoryClaims.Subject)?.Value ?? "",
            user.FindFirst(DirectoryClaims.App)?.Value ?? "",
            operation, targets, changed, result,
            Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier);
        try
        {
            await log.AppendAsync(record);
        }
        catch (Exception e)
        {
            // The call's own outcome stands; a lost audit record must be loud.
            LogAuditFailed(logger, e, operation, tenant, result);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "AUDIT RECORD LOST: {Operation} in tenant {Tenant} ({Result})")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string operation, string tenant, string result);
}
