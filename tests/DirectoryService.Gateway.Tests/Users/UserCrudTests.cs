using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

[Collection(SiloCollection.Name)]
public sealed class UserCrudTests(SiloFixture silo)
{
    [Fact]
    public async Task CreateUser_AssignsIdEtagAndDefaults()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("alice", u =>
        {
            u.Department = "Sales";
            u.ExtensionAttributes.Add("costCenter", "42");
        });

        Assert.True(Guid.TryParse(user.Id, out _));
        Assert.Equal(t.Upn("alice"), user.UserPrincipalName);
        Assert.True(user.AccountEnabled);
        Assert.NotEmpty(user.Etag);
        Assert.Equal(silo.Clock.GetUtcNow(), user.CreateTime.ToDateTimeOffset());
        Assert.Equal("42", user.ExtensionAttributes["costCenter"]);
        Assert.Null(user.DeleteTime);
    }

    [Fact]
    public async Task CreateUser_KeepsExplicitlyDisabledAccount()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync(configure: u => u.AccountEnabled = false);
        Assert.False(user.AccountEnabled);
    }

    [Fact]
    public async Task GetUser_FindsByIdAndByPrincipalNameIgnoringCase()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("Bob.Smith");

        var byId = await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id });
        var byUpn = await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("bob.SMITH").ToUpperInvariant() });

        Assert.Equal(user, byId);
        Assert.Equal(user, byUpn);
    }

    [Fact]
    public async Task GetUser_ReturnsNotFound_ForUnknownIdAndName()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.GetUserAsync(new GetUserRequest { Id = Guid.NewGuid().ToString() }));
        await RpcAssert.Fails(StatusCode.NotFound, "user_principal_name", () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("nobody") }));
    }

    [Fact]
    public async Task GetUser_RejectsMalformedKey()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "id", () => t.Users.GetUserAsync(new GetUserRequest { Id = "not-a-guid" }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "key", () => t.Users.GetUserAsync(new GetUserRequest()));
    }

    [Fact]
    public async Task Calls_WithATokenNamingNoTenant_AreDenied()
    {
        var users = new Grpc.V1.Users.UsersClient(silo.Authorized(DirectoryService.Testing.ClusterSettings.Token(null, DirectoryService.Security.Permissions.DirectoryReadWrite)));
        await RpcAssert.Fails(StatusCode.PermissionDenied, "tid", () => users.GetUserAsync(new GetUserRequest { Id = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task GetUser_ReturnsNotFound_ForAnotherTenantsUser()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var user = await a.CreateUserAsync("alice");

        await RpcAssert.Fails(StatusCode.NotFound, "id", () => b.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "user_principal_name", () => b.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName }));
    }

    [Fact]
    public async Task UpdateUser_ChangesOnlyMaskedFieldsAndTheEtag()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("carol", u => u.JobTitle = "Engineer");

        var updated = await t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, Department = "R&D", JobTitle = "ignored: not in mask", AccountEnabled = false, Etag = user.Etag },
            UpdateMask = new FieldMask { Paths = { "department", "account_enabled" } },
        });

        Assert.Equal("R&D", updated.Department);
        Assert.Equal("Engineer", updated.JobTitle);
        Assert.False(updated.AccountEnabled);
        Assert.NotEqual(user.Etag, updated.Etag);
        Assert.Equal(updated, await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
    }

    [Fact]
    public async Task UpdateUser_SetsAndRemovesSingleExtensionAttributes()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync(configure: u =>
        {
            u.ExtensionAttributes.Add("a", "1");
            u.ExtensionAttributes.Add("b", "2");
        });
        var change = new User { Id = user.Id };
        change.ExtensionAttributes.Add("c", "3");

        var updated = await t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = change,
            UpdateMask = new FieldMask { Paths = { "extension_attributes.c", "extension_attributes.a" } },
        });

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, updated.ExtensionAttributes);
    }

    [Fact]
    public async Task UpdateUser_RejectsStaleEtag_AndChangesNothing()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var first = await t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, DisplayName = "first", Etag = user.Etag },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        });

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "user.etag", () => t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, DisplayName = "second", Etag = user.Etag },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }));

        Assert.Equal(first, await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("password")]
    [InlineData("id")]
    public async Task UpdateUser_RejectsMissingOrUnknownMask(string? path)
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var request = new UpdateUserRequest { User = new User { Id = user.Id, DisplayName = "x" } };
        if (path is not null)
        {
            request.UpdateMask = new FieldMask { Paths = { path } };
        }

        await RpcAssert.Fails(StatusCode.InvalidArgument, "update_mask", () => t.Users.UpdateUserAsync(request));
        Assert.Equal(user, await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
    }

    [Fact]
    public async Task UpdateUser_RenamesPrincipalName_AndFreesTheOldOne()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("old");
        await t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, UserPrincipalName = t.Upn("new") },
            UpdateMask = new FieldMask { Paths = { "user_principal_name" } },
        });

        var byNew = await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("new") });
        Assert.Equal(user.Id, byNew.Id);
        await RpcAssert.Fails(StatusCode.NotFound, "user_principal_name", () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("old") }));
        var reuse = await t.CreateUserAsync("old");
        Assert.NotEqual(user.Id, reuse.Id);
    }

    [Fact]
    public async Task UpdateUser_RefusesPrincipalNameOfAnotherUser()
    {
        var t = await silo.NewTenantAsync();
        var taken = await t.CreateUserAsync("taken");
        var user = await t.CreateUserAsync("mine");

        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.user_principal_name", () => t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, UserPrincipalName = t.Upn("TAKEN") },
            UpdateMask = new FieldMask { Paths = { "user_principal_name" } },
        }));

        Assert.Equal(t.Upn("mine"), (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).UserPrincipalName);
        Assert.Equal(taken.Id, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("taken") })).Id);
    }

    [Fact]
    public async Task UpdateUser_ReturnsNotFound_ForUnknownUser()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.NotFound, "user.id", () => t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = Guid.NewGuid().ToString(), DisplayName = "x" },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }));
    }

    [Fact]
    public async Task CreateUser_RefusesTakenPrincipalName_IgnoringCase()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("dup");
        await RpcAssert.Fails(StatusCode.AlreadyExists, "user.user_principal_name", () => t.CreateUserAsync("DUP"));
    }

    [Fact]
    public async Task SamePrincipalLocalPart_IsIndependentAcrossTenants()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var inA = await a.CreateUserAsync("same");
        var inB = await b.CreateUserAsync("same");
        Assert.NotEqual(inA.Id, inB.Id);
    }

    [Fact]
    public async Task BatchGetUsers_ReturnsExistingLiveUsersOnly()
    {
        var t = await silo.NewTenantAsync();
        var other = await silo.NewTenantAsync();
        var u1 = await t.CreateUserAsync();
        var u2 = await t.CreateUserAsync();
        var deleted = await t.CreateUserAsync();
        var foreign = await other.CreateUserAsync();
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = deleted.Id });

        var response = await t.Users.BatchGetUsersAsync(new BatchGetUsersRequest
        {
            Ids = { u2.Id, Guid.NewGuid().ToString(), u1.Id, deleted.Id, foreign.Id },
        });

        Assert.Equal([u2.Id, u1.Id], response.Users.Select(u => u.Id));
    }

    [Fact]
    public async Task BatchGetUsers_EnforcesIdLimits()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "ids", () => t.Users.BatchGetUsersAsync(new BatchGetUsersRequest()));
        var tooMany = new BatchGetUsersRequest();
        tooMany.Ids.AddRange(Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid().ToString()));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "ids", () => t.Users.BatchGetUsersAsync(tooMany));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "ids[1]", () => t.Users.BatchGetUsersAsync(new BatchGetUsersRequest { Ids = { Guid.NewGuid().ToString(), "x" } }));
    }
}
