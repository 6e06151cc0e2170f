using DirectoryService.Gateway.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Audit;

/// <summary>
/// Records every call refused by authentication or authorization, with the ids its request named,
/// and answers it through its door (<see cref="IRefusalDoor"/>: a gRPC status, a SCIM error) with a
/// message that says what was missing, rather than a bare HTTP 401/403.
/// </summary>
public sealed class AuditingAuthorizationHandler(AuditTrail trail, IEnumerable<IRefusalDoor> doors) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var door = doors.FirstOrDefault(d => d.Handles(context));
        var call = door is null ? new RefusedCall($"{context.Request.Method} {context.Request.Path}", [], null) : await door.DescribeAsync(context);
        await trail.RecordRefusalAsync(context, call.Operation, call.Targets, authorizeResult.Forbidden ? "PermissionDenied" : "Unauthenticated", call.Tenant);
        if (door is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var refusal = authorizeResult.Forbidden ? AuthRefusals.Forbidden(context) : await AuthRefusals.UnauthenticatedAsync(context);
        await door.WriteAsync(context, refusal);
    }
}
