using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tenants;

/// <summary>Maps tenants between the API and the grains.</summary>
public static class TenantMapping
{
    public static TenantSpec ToSpec(this Tenant tenant) => new()
    {
        DisplayName = tenant.DisplayName,
        VerifiedDomains = [.. tenant.VerifiedDomains],
    };

    public static Tenant ToProto(this TenantView view) => new()
    {
        Id = view.Id,
        DisplayName = view.Spec.DisplayName,
        VerifiedDomains = { view.Spec.VerifiedDomains },
        CreateTime = Requests.Time(view.CreatedAt),
        Etag = view.ETag,
    };
}
