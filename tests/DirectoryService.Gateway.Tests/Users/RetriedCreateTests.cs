using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;
using DirectoryService.Gateway.Tests.Infrastructure;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>
/// Creates are retried when their silo goes away mid-call, so a repeat of the very same create
/// (same fresh id, same profile) must answer as the first did, while anything else still conflicts.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class RetriedCreateTests(SiloFixture silo)
{
    [Fact]
    public async Task RepeatedUserCreate_AnswersAsTheFirst_ButADifferentOneConflicts()
    {
        var t = await silo.NewTenantAsync();
        var user = silo.Grains.User(t.Id, Identifiers.NewObjectId());
        var profile = new UserProfile { UserPrincipalName = t.Upn("retried"), DisplayName = "Retried" };

        var first = await user.CreateAsync(profile);
        var again = await user.CreateAsync(profile with { });

        Assert.Equal(first, again);
        var error = await Assert.ThrowsAsync<DirectoryException>(() => user.CreateAsync(profile with { DisplayName = "Other" }));
        Assert.Equal(DirectoryErrorCode.AlreadyExists, error.Code);
    }

    [Fact]
    public async Task RepeatedGroupCreate_AnswersAsTheFirst()
    {
        var t = await silo.NewTenantAsync();
        var owner = await t.CreateUserAsync();
        var group = silo.Grains.Group(t.Id, Identifiers.NewObjectId());
        var profile = new GroupProfile { DisplayName = "g", OwnerIds = [owner.Id] };

        var first = await group.CreateAsync(profile);
        Assert.Equal(first, await group.CreateAsync(profile with { OwnerIds = [owner.Id] }));
        await Assert.ThrowsAsync<DirectoryException>(() => group.CreateAsync(profile with { OwnerIds = [] }));
    }
}
