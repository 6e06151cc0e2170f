using DirectoryService.Gateway.Rpcs;
using DirectoryService.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryService.Gateway.Audit;

/// <summary>
/// A REST write whose JSON body (or route and query values) did not parse is answered 400 by JSON
/// transcoding before any interceptor runs, so the audit interceptor never sees it. Over gRPC such a
/// call is audited (the guarded binder hands the interceptors a stand-in); this middleware does the
/// same for REST: a write answered 400 that the audit interceptor never saw is recorded as a refusal,
/// with the ids its route named.
/// </summary>
public static class UnparsedRestCalls
{
    private static readonly object Audited = new();

    /// <summary>Called by the audit interceptor on each write it audits (reads are never marked: no cost on the read path).</summary>
    public static void MarkAudited(HttpContext http) => http.Items[Audited] = true;

    public static IApplicationBuilder UseUnparsedRestCallAudit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        await next(http);
        if (http.Response.StatusCode != StatusCodes.Status400BadRequest || http.Items.ContainsKey(Audited))
        {
            return;
        }

        var door = http.RequestServices.GetServices<IRefusalDoor>().OfType<RestRefusalDoor>().Single();
        if (!door.Handles(http))
        {
            return;
        }

        var call = await door.DescribeAsync(http);
        if (RpcCatalog.Find(call.Operation) is { IsWrite: true })
        {
            await http.RequestServices.GetRequiredService<AuditTrail>().RecordRefusalAsync(http, call.Operation, call.Targets, "InvalidArgument", call.Tenant);
        }
    });
}
