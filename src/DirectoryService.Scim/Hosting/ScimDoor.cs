using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Errors;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Security;
using DirectoryService.Scim.Errors;
using DirectoryService.Security;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectoryService.Scim.Hosting;

/// <summary>
/// What every SCIM call goes through, as a gRPC call goes through the interceptors: the tenant from
/// the token, the tenant's rate limit, the audit record of a write (stored as PENDING before it runs,
/// settled after), and the mapping of every refusal to the SCIM error schema.
/// </summary>
public sealed partial class ScimDoor(AuditTrail audit, TenantRateLimiter limiter, IOptions<ScimOptions> options, IOptions<WriteBoundOptions> writes, ISiloVouch vouch, ILogger<ScimDoor> logger)
{
    /// <summary>The bounds answers keep to.</summary>
    public ScimOptions Bounds => options.Value;

    /// <summary>Runs a read.</summary>
    public async Task<IResult> ReadAsync(HttpContext http, Func<string, Task<IResult>> call)
    {
        using var trips = StorageRoundTrips.Begin(OperationName(http));
        return await RunAsync(http, call);
    }

    /// <summary>
    /// Runs a write whose request body is <typeparamref name="TBody"/>: the body is read and parsed
    /// (a body that does not parse is refused, and audited, as a refused write), then the write runs
    /// audited — no record, no write.
    /// </summary>
    public async Task<IResult> WriteAsync<TBody>(
        HttpContext http, IReadOnlyList<string> targets, Func<JsonObject, TBody> parse, Func<TBody, IReadOnlyList<string>> changed, Func<string, TBody, Task<IResult>> call)
    {
        TBody body;
        try
        {
            using var reader = new StreamReader(http.Request.Body);
            body = parse(ScimJson.ParseObject(await reader.ReadToEndAsync(http.RequestAborted)));
        }
        catch (ScimException e)
        {
            await audit.RecordRefusalAsync(http, Operation(http), targets, nameof(DirectoryErrorCode.InvalidArgument), tenantHint: null);
            return ScimErrors.Result(e);
        }

        return await WriteAsync(http, targets, changed(body), tenant => call(tenant, body));
    }

    /// <summary>Runs a write, audited: no record, no write.</summary>
    public async Task<IResult> WriteAsync(HttpContext http, IReadOnlyList<string> targets, IReadOnlyList<string> changed, Func<string, Task<IResult>> call)
    {
        // The same time budget as a gRPC write's, shared by every storage operation it makes.
        CallDeadline.Set(DateTimeOffset.UtcNow + writes.Value.WriteTimeout);
        using var trips = StorageRoundTrips.Begin(OperationName(http));
        AuditRecord pending;
        try
        {
            pending = await audit.BeginAsync(http, Operation(http), targets, changed, tenantHint: null);
        }
        catch (AuditUnavailableException e)
        {
            return ScimErrors.Result(503, null, e.Message);
        }

        var result = await RunAsync(http, call);
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 200;
        await audit.SettleAsync(pending, status < 300 ? AuditResults.Ok : Outcome(status), targets);
        return result;
    }

    /// <summary>The call's operation: the route's pattern, not its path (ids would make every call an operation of its own).</summary>
    private static string OperationName(HttpContext http) =>
        $"SCIM {http.Request.Method} {(http.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path}";

    private async Task<IResult> RunAsync(HttpContext http, Func<string, Task<IResult>> call)
    {
        using var span = ApiOperation.Begin(OperationName(http));
        var result = await RunInOperationAsync(http, call);
        if ((result as IStatusCodeHttpResult)?.StatusCode is >= 400 and var status)
        {
            ApiOperation.Fail(span, status.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }

        return result;
    }

    private async Task<IResult> RunInOperationAsync(HttpContext http, Func<string, Task<IResult>> call)
    {
        if (!await vouch.WaitTrustedAsync(VouchInterceptor.Wait, http.RequestAborted))
        {
            http.Response.Headers.RetryAfter = "1";
            return ScimErrors.Result(503, null, $"this silo cannot vouch for its answers ({vouch.Problem}); retry, on another silo if this persists");
        }

        if (!limiter.TryAcquire(http.User, out var throttled, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ScimErrors.Result(429, null, $"tenant '{throttled}' is over its request rate; retry after {retryAfter.TotalMilliseconds:0} ms");
        }

        try
        {
            var tenant = http.User.FindFirst(DirectoryClaims.Tenant)?.Value;
            if (string.IsNullOrEmpty(tenant))
            {
                return ScimErrors.Result(403, null, "the caller's token names no tenant (tid)");
            }

            return await call(Identifiers.TenantId(tenant, ErrorField.Request(DirectoryClaims.Tenant)));
        }
        catch (ScimException e)
        {
            return ScimErrors.Result(e);
        }
        catch (DirectoryException e)
        {
            return ScimErrors.Result(ScimErrors.From(e));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return ScimErrors.Result(499, null, "the call was cancelled");
        }
        catch (Exception e) when (Unavailability.Conflict(e) is { } conflict)
        {
            LogFailed(logger, e, http.Request.Path);
            return ScimErrors.Result(409, null, conflict);
        }
        catch (Exception e) when (Unavailability.Describe(e) is var (message, _))
        {
            LogFailed(logger, e, http.Request.Path);
            http.Response.Headers.RetryAfter = ((int)Unavailability.RetryDelay.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ScimErrors.Result(503, null, message);
        }
        catch (Exception e)
        {
            LogFailed(logger, e, http.Request.Path);
            return ScimErrors.Result(500, null, "internal error; the outcome is unknown");
        }
    }

    private static string Operation(HttpContext http) => $"SCIM {http.Request.Method} {http.Request.Path}";

    /// <summary>The audit result of a refused SCIM write, in the names every door's records use.</summary>
    private static string Outcome(int status) => status switch
    {
        400 => nameof(DirectoryErrorCode.InvalidArgument),
        401 => nameof(DirectoryErrorCode.Unauthenticated),
        403 => nameof(DirectoryErrorCode.PermissionDenied),
        404 => nameof(DirectoryErrorCode.NotFound),
        409 => nameof(DirectoryErrorCode.AlreadyExists),
        412 => nameof(DirectoryErrorCode.FailedPrecondition),
        429 => nameof(DirectoryErrorCode.ResourceExhausted),
        503 => "Unavailable",
        _ => "Internal",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "SCIM call {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
