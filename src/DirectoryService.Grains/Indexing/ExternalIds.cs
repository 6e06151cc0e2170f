using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Indexing;

/// <summary>Addresses the binding of an external id of a kind of object in a tenant.</summary>
public static class ExternalIds
{
    public static KeyBinder Index(IGrainFactory grains, string tenantId, ObjectKind kind, string externalId) =>
        UniqueKeys.Binder(grains, tenantId, new TenantKey(kind == ObjectKind.Group ? UniqueKeyKind.GroupExternalId : UniqueKeyKind.UserExternalId, externalId));
}
