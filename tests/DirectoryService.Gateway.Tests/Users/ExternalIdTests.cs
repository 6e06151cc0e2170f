using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>External ids: optional, unique per tenant and kind when set (exactly, case included), found by equality.</summary>
[Collection(SiloCollection.Name)]
public sealed class ExternalIdTests(SiloFixture silo)
{
    private static Task<User> SetExternalIdAsync(TestTenant t, User user, string externalId) =>
        t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user.Id, ExternalId = externalId }, UpdateMask = new FieldMask { Paths = { "external_id" } } }).ResponseAsync;

    [Fact]
    public async Task AUsersExternalId_IsStored_AndFoundByEquality_WithoutScanningTheListing()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("hr1", u => u.ExternalId = "HR-0001");
        await t.CreateUserAsync("hr2", u => u.ExternalId = "HR-0002");
        Assert.Equal("HR-0001", (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).ExternalId);

        var rowsBefore = silo.Rows.RowsRead;
        var found = await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "HR-0001" });
        Assert.Equal([user.Id], found.Users.Select(u => u.Id));
        Assert.Equal(rowsBefore, silo.Rows.RowsRead);
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "hr-0001" })).Users);
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "HR-0001", Department = "Sales" })).Users);
    }

    [Fact]
    public async Task ATakenExternalId_IsRefused_PerKind_AndCaseSensitively()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("first", u => u.ExternalId = "E-7");
        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.external_id", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("second"), DisplayName = "s", ExternalId = "E-7" } }));
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { UserPrincipalName = t.Upn("second") })).Users);

        await t.CreateUserAsync("third", u => u.ExternalId = "e-7");
        var group = await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", ExternalId = "E-7" } });
        Assert.Equal("E-7", group.ExternalId);
        await RpcAssert.Fails(StatusCode.AlreadyExists, "group.external_id", () => t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g2", ExternalId = "E-7" } }));
        Assert.Equal([group.Id], (await t.Groups.ListGroupsAsync(new ListGroupsRequest { ExternalId = "E-7" })).Groups.Select(g => g.Id));
    }

    [Fact]
    public async Task ChangingAnExternalId_FreesTheOldOne_AndTakesTheNew()
    {
        var t = await silo.NewTenantAsync();
        var a = await t.CreateUserAsync("a", u => u.ExternalId = "OLD");
        var b = await t.CreateUserAsync("b");
        await SetExternalIdAsync(t, a, "NEW");
        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.external_id", () => SetExternalIdAsync(t, b, "NEW"));
        Assert.Equal("OLD", (await SetExternalIdAsync(t, b, "OLD")).ExternalId);
        Assert.Equal([b.Id], (await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "OLD" })).Users.Select(u => u.Id));
        Assert.Equal([a.Id], (await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "NEW" })).Users.Select(u => u.Id));

        await SetExternalIdAsync(t, a, "");
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "NEW" })).Users);
        await SetExternalIdAsync(t, b, "NEW");
    }

    [Fact]
    public async Task ASoftDeletedUser_KeepsItsExternalId_UntilPurged()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("gone", u => u.ExternalId = "KEEP");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.external_id", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("other"), DisplayName = "o", ExternalId = "KEEP" } }));
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "KEEP" })).Users);
        Assert.Equal([user.Id], (await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "KEEP", ShowDeleted = true })).Users.Select(u => u.Id));
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneExternalId_YieldExactlyOneObject()
    {
        var t = await silo.NewTenantAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Outcomes.StatusOf(() => t.CreateUserAsync($"race{i}", u => u.ExternalId = "ONE"))));
        Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
        Assert.All(outcomes, o => Assert.Contains(o, new[] { StatusCode.OK, StatusCode.AlreadyExists }));
        Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "ONE" })).Users);
    }

    [Fact]
    public async Task AnOverlongExternalId_IsInvalid()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.external_id", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("long"), DisplayName = "l", ExternalId = new string('x', 257) } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "external_id", () => t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = new string('x', 257) }));
    }
}
