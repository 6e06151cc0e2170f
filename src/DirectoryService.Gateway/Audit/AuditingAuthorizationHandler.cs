using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Audit;

/// <summary>Records every attempt refused by authentication or authorization, then answers it as usual.</summary>
public sealed class AuditingAuthorizationHandler(AuditTrail trail) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            var result = authorizeResult.Forbidden ? "PermissionDenied" : "Unauthenticated";
            await trail.RecordAsync(context, context.Request.Path.Value ?? "", [], [], result);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
