using DirectoryService.Abstractions.Common;
using DirectoryService.Security;
using Grpc.Core;

namespace DirectoryService.Gateway.Tenancy;

/// <summary>
/// The tenant a call acts in: the <c>tid</c> claim of the caller's validated token, never a request
/// field. Every tenant-scoped grain key starts with it, so no request can reach another tenant.
/// </summary>
public static class CallerTenant
{
    public static string From(ServerCallContext context)
    {
        var tenant = context.GetHttpContext().User.FindFirst(DirectoryClaims.Tenant)?.Value;
        if (string.IsNullOrEmpty(tenant))
        {
            throw new DirectoryException(DirectoryErrorCode.PermissionDenied, ErrorField.Request(DirectoryClaims.Tenant), "the caller's token names no tenant");
        }

        return Identifiers.TenantId(tenant, ErrorField.Request(DirectoryClaims.Tenant));
    }
}
