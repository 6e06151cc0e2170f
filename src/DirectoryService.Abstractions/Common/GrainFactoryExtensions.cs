using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Abstractions.Common;

/// <summary>Addresses a tenant's object grains by id.</summary>
public static class GrainFactoryExtensions
{
    public static IUserGrain User(this IGrainFactory grains, string tenantId, string userId) =>
        grains.Reference<IUserGrain>(GrainKeys.Scoped(tenantId, userId));

    public static IGroupGrain Group(this IGrainFactory grains, string tenantId, string groupId) =>
        grains.Reference<IGroupGrain>(GrainKeys.Scoped(tenantId, groupId));

    public static IPrincipalGrain Principal(this IGrainFactory grains, string tenantId, ObjectRef principal) =>
        principal.Kind == ObjectKind.Group ? grains.Group(tenantId, principal.Id) : grains.User(tenantId, principal.Id);
}
