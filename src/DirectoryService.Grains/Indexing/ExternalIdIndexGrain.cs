using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Indexing;

/// <summary>Grants one external id to one user, or one group, of the tenant (keyed <c>{tenant}/{kind}/{external id}</c>).</summary>
[GrainType(GrainTypes.ExternalIdIndex)]
public sealed class ExternalIdIndexGrain(
    [PersistentState(StorageNames.ExternalIdIndex, StorageNames.Directory)] IPersistentState<KeyBinding> binding)
    : UniqueKeyGrain(binding), IExternalIdIndexGrain
{
    private (string TenantId, ObjectKind Kind, string ExternalId) Key
    {
        get
        {
            var (tenantId, local) = GrainKeys.Split(this.GetPrimaryKeyString());
            var slash = local.IndexOf('/', StringComparison.Ordinal);
            return (tenantId, ExternalIds.KindOf(local[..slash]), local[(slash + 1)..]);
        }
    }

    protected override (string Field, string Taken) Refusal =>
        (DomainFields.ExternalId, $"another {(Key.Kind == ObjectKind.User ? "user" : "group")} in the tenant already has this external id");

    protected override Task<bool> HoldsAsync(string objectId)
    {
        var (tenantId, kind, externalId) = Key;
        return GrainFactory.Principal(tenantId, new ObjectRef(objectId, kind)).HoldsExternalIdAsync(externalId);
    }
}

/// <summary>Addresses the grain that binds an external id of a kind of object in a tenant.</summary>
public static class ExternalIds
{
    public static IExternalIdIndexGrain Index(IGrainFactory grains, string tenantId, ObjectKind kind, string externalId) =>
        grains.GetGrain<IExternalIdIndexGrain>(GrainKeys.Scoped(tenantId, $"{Name(kind)}/{externalId}"));

    public static ObjectKind KindOf(string name) => name == "group" ? ObjectKind.Group : ObjectKind.User;

    private static string Name(ObjectKind kind) => kind == ObjectKind.Group ? "group" : "user";
}
