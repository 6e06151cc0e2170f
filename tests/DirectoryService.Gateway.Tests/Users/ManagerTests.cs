using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>A user's manager is another live user of the tenant; update_time follows every change.</summary>
[Collection(SiloCollection.Name)]
public sealed class ManagerTests(SiloFixture silo)
{
    [Fact]
    public async Task AManager_IsAnotherLiveUserOfTheTenant()
    {
        var t = await silo.NewTenantAsync();
        var boss = await t.CreateUserAsync("boss");
        var report = await t.CreateUserAsync("report", u => u.ManagerId = boss.Id);
        Assert.Equal(boss.Id, (await t.Users.GetUserAsync(new GetUserRequest { Id = report.Id })).ManagerId);

        var foreign = await (await silo.NewTenantAsync()).CreateUserAsync("foreign");
        await RpcAssert.Fails(StatusCode.NotFound, "user.manager_id", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("x"), DisplayName = "x", ManagerId = foreign.Id } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.manager_id", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("y"), DisplayName = "y", ManagerId = "nope" } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.manager_id", () => t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = boss.Id, ManagerId = boss.Id }, UpdateMask = new FieldMask { Paths = { "manager_id" } } }));

        var cleared = await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = report.Id }, UpdateMask = new FieldMask { Paths = { "manager_id" } } });
        Assert.Equal("", cleared.ManagerId);
        Assert.True(cleared.UpdateTime.ToDateTimeOffset() >= report.UpdateTime.ToDateTimeOffset());
        Assert.Equal(report.CreateTime, report.UpdateTime);
    }
}
