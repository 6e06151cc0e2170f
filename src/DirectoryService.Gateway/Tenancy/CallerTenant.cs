using DirectoryService.Abstractions.Common;
using Grpc.Core;

namespace DirectoryService.Gateway.Tenancy;

/// <summary>
/// The tenant a call acts in. Taken from the <c>x-tenant-id</c> request header until bearer-token
/// authentication lands (issue 5), when it comes from the token's tenant claim instead. Never from
/// request message fields.
/// </summary>
public static class CallerTenant
{
    public const string Header = "x-tenant-id";

    public static string From(ServerCallContext context)
    {
        var value = context.RequestHeaders.GetValue(Header);
        if (string.IsNullOrEmpty(value))
        {
            throw new DirectoryException(DirectoryErrorCode.Unauthenticated, Header, $"{Header}: the call carries no tenant");
        }

        return Identifiers.TenantId(value, Header);
    }
}
