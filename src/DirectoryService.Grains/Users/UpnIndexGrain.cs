using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Users;

/// <summary>Grants one user principal name (in its compared form) to one user of the tenant.</summary>
[GrainType(GrainTypes.UpnIndex)]
public sealed class UpnIndexGrain(
    [PersistentState(StorageNames.UpnIndex, StorageNames.Directory)] IPersistentState<KeyBinding> binding)
    : UniqueKeyGrain(binding), IUpnIndexGrain
{
    protected override (string Field, string Taken) Refusal =>
        (DomainFields.UserPrincipalName, "another user in the tenant already has this user principal name");

    protected override Task<bool> HoldsAsync(string objectId)
    {
        var (tenantId, name) = GrainKeys.Split(this.GetPrimaryKeyString());
        return GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(tenantId, objectId)).HoldsPrincipalNameAsync(name);
    }
}
