using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>The references <see cref="GrainReferences"/> makes from kept types are the ones Orleans makes, and calls through them reach the grain.</summary>
[Collection(SiloCollection.Name)]
public sealed class GrainReferencesTests(SiloFixture silo)
{
    [Fact]
    public async Task AReferenceFromKeptTypes_IsOrleansOwn_AndReachesTheGrain()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var key = GrainKeys.Scoped(t.Id, user.Id);

        var first = silo.Grains.Reference<IUserGrain>(key);
        var kept = silo.Grains.Reference<IUserGrain>(key);
        var other = silo.Grains.Reference<IUserGrain>(GrainKeys.Scoped(t.Id, Guid.NewGuid().ToString()));

        var orleans = (GrainReference)silo.Grains.GetGrain<IUserGrain>(key);
        foreach (var reference in new[] { first, kept }.Cast<GrainReference>())
        {
            Assert.Equal((orleans.GrainId, orleans.InterfaceType), (reference.GrainId, reference.InterfaceType));
            Assert.Equal(orleans, reference);
        }

        Assert.NotEqual(((GrainReference)kept).GrainId, ((GrainReference)other).GrainId);
        Assert.Equal(user.UserPrincipalName, (await kept.GetAsync(includeDeleted: false)).Profile.UserPrincipalName);
    }
}
