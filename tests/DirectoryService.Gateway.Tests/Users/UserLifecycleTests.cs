using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

[Collection(SiloCollection.Name)]
public sealed class UserLifecycleTests(SiloFixture silo)
{
    [Fact]
    public async Task DeleteUser_HidesTheUser_AndRestoreBringsItBack()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("soft");

        var deleted = await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id, Etag = user.Etag });
        Assert.NotNull(deleted.DeleteTime);
        Assert.Equal(deleted.DeleteTime.ToDateTimeOffset().AddDays(30), deleted.PurgeTime.ToDateTimeOffset());

        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName }));
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest())).Users);
        Assert.Equal([user.Id], (await t.Users.ListUsersAsync(new ListUsersRequest { ShowDeleted = true })).Users.Select(u => u.Id));

        var restored = await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id });
        Assert.Null(restored.DeleteTime);
        Assert.Equal(user.Id, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName })).Id);
    }

    [Fact]
    public async Task DeletedUser_KeepsItsPrincipalNameReserved()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("reserved");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.user_principal_name", () => t.CreateUserAsync("reserved"));
    }

    [Fact]
    public async Task DeleteUser_RejectsStaleEtag_AndUnknownUser()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "etag", () => t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id, Etag = "W/\"999\"" }));
        Assert.Equal(user, await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.DeleteUserAsync(new DeleteUserRequest { Id = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task RestoreUser_RefusesLiveUser_AndUnknownUser()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "id", () => t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.RestoreUserAsync(new RestoreUserRequest { Id = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task DeletedUser_IsGoneAfterRetention_AndItsNameIsFree()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("expiring");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });

        silo.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));

        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id }));
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ShowDeleted = true })).Users);
        var successor = await t.CreateUserAsync("expiring");
        Assert.NotEqual(user.Id, successor.Id);
    }
}
