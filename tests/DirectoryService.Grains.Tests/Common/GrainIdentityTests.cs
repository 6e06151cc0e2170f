using System.Reflection;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Users;

namespace DirectoryService.Grains.Tests.Common;

/// <summary>
/// Grain type names key stored state (<c>user/{tenant}/{id}</c>) and interface aliases name calls
/// between silos of different versions: both are written out here, independently of the code, so a
/// rename that would orphan data or break a rolling upgrade fails this test.
/// </summary>
public sealed class GrainIdentityTests
{
    private static readonly Dictionary<string, string> PinnedGrainTypes = new()
    {
        ["TenantGrain"] = "tenant",
        ["TenantRegistryGrain"] = "tenantregistry",
        ["UserGrain"] = "user",
        ["KeyBucketGrain"] = "keybucket",
        ["GroupGrain"] = "group",
        ["NestingGrain"] = "nesting",
        ["DirectoryQueryGrain"] = "directoryquery",
        ["MembershipQueryGrain"] = "membershipquery",
        ["ImportGrain"] = "import",
        ["ChangeFeedGrain"] = "changefeed",
        ["ChangesQueryGrain"] = "changesquery",
        ["RetentionGrain"] = "retention",
    };

    private static readonly Dictionary<string, string> PinnedInterfaceAliases = new()
    {
        ["ITenantGrain"] = "directory.ITenantGrain",
        ["ITenantRegistryGrain"] = "directory.ITenantRegistryGrain",
        ["IPrincipalGrain"] = "directory.IPrincipalGrain",
        ["IUserGrain"] = "directory.IUserGrain",
        ["IKeyBucketGrain"] = "directory.IKeyBucketGrain",
        ["IGroupGrain"] = "directory.IGroupGrain",
        ["INestingGrain"] = "directory.INestingGrain",
        ["IDirectoryQueryGrain"] = "directory.IDirectoryQueryGrain",
        ["IMembershipQueryGrain"] = "directory.IMembershipQueryGrain",
        ["IMembershipCacheService"] = "directory.IMembershipCacheService",
        ["IImportGrain"] = "directory.IImportGrain",
        ["IChangeFeedGrain"] = "directory.IChangeFeedGrain",
        ["IChangesQueryGrain"] = "directory.IChangesQueryGrain",
        ["IRetentionGrain"] = "directory.IRetentionGrain",
    };

    [Fact]
    public void EveryGrainClass_PinsItsStoredTypeName()
    {
        var grains = typeof(UserGrain).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t))
            .ToDictionary(t => t.Name, t => t.GetCustomAttribute<GrainTypeAttribute>()?.GetGrainType(null!, t).ToString() ?? "(not pinned)");
        Assert.Equal(PinnedGrainTypes.OrderBy(p => p.Key), grains.OrderBy(p => p.Key));
    }

    [Fact]
    public void EveryGrainInterface_AndItsMethods_CarryAliases()
    {
        var interfaces = typeof(IUserGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t)).ToList();
        Assert.Equal(
            PinnedInterfaceAliases.OrderBy(p => p.Key),
            interfaces.ToDictionary(t => t.Name, t => t.GetCustomAttribute<AliasAttribute>()?.Alias ?? "(none)").OrderBy(p => p.Key));
        var unaliased = interfaces.SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<AliasAttribute>() is null).Select(m => $"{t.Name}.{m.Name}"));
        Assert.Empty(unaliased);
    }
}
