using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Members;

[Collection(SiloCollection.Name)]
public sealed class MemberApiTests(SiloFixture silo)
{
    [Fact]
    public async Task AddMembers_IsIdempotent_AndBothDirectionsAgree()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        var child = await t.CreateGroupAsync("child");
        var user = await t.CreateUserAsync();

        Assert.Equal(2, (await t.AddAsync(group, user, child)).AddedCount);
        Assert.Equal(0, (await t.AddAsync(group, user)).AddedCount);

        var members = await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id });
        Assert.Equal(new[] { user.Id, child.Id }.Order(StringComparer.Ordinal), members.Members.Select(m => m.Id));
        Assert.Equal(ObjectType.User, members.Members.Single(m => m.Id == user.Id).Type);
        Assert.Equal([group.Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(user) })).GroupIds);
        Assert.Equal([group.Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(child) })).GroupIds);
    }

    [Fact]
    public async Task RemoveMember_RemovesBothDirections()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        var user = await t.CreateUserAsync();
        await t.AddAsync(group, user);

        await t.RemoveAsync(group, user);

        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members);
        Assert.Empty((await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(user) })).GroupIds);
        await RpcAssert.Fails(StatusCode.NotFound, "member.id", () => t.RemoveAsync(group, user));
    }

    [Fact]
    public async Task AddMembers_EnforcesLimitsAndShapes_AndAddsNothing()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        var users = await Task.WhenAll(Enumerable.Range(0, 21).Select(_ => t.CreateUserAsync()));

        await RpcAssert.Fails(StatusCode.InvalidArgument, "members", () => t.AddAsync(group, users.Cast<object>().ToArray()));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "members", () => t.AddAsync(group));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "members[1].type", () => t.AddAsync(group, users[0], new DirectoryObjectRef { Id = users[1].Id }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "members[1].id", () => t.AddAsync(group, users[0], new DirectoryObjectRef { Id = "nope", Type = ObjectType.User }));
        await RpcAssert.Fails(StatusCode.NotFound, "members[1].id", () => t.AddAsync(group, users[0], new DirectoryObjectRef { Id = Guid.NewGuid().ToString(), Type = ObjectType.User }));
        await RpcAssert.Fails(StatusCode.NotFound, "members[0].id", () => t.AddAsync(group, new DirectoryObjectRef { Id = users[0].Id, Type = ObjectType.Group }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group_id", () => t.Members.AddMembersAsync(new AddMembersRequest { GroupId = "x", Members = { TestTenant.Ref(users[0]) } }));
        await RpcAssert.Fails(StatusCode.NotFound, "group_id", () => t.Members.AddMembersAsync(new AddMembersRequest { GroupId = Guid.NewGuid().ToString(), Members = { TestTenant.Ref(users[0]) } }));

        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members);
        Assert.Empty((await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(users[0]) })).GroupIds);
        Assert.Equal(20, (await t.AddAsync(group, users.Take(20).Cast<object>().ToArray())).AddedCount);
    }

    [Fact]
    public async Task AddMembers_RefusesAnotherTenantsObjects()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var groupA = await a.CreateGroupAsync();
        var userB = await b.CreateUserAsync();
        var groupB = await b.CreateGroupAsync();

        await RpcAssert.Fails(StatusCode.NotFound, "members[0].id", () => a.AddAsync(groupA, userB));
        await RpcAssert.Fails(StatusCode.NotFound, "group_id", () => b.AddAsync(groupA, userB));
        await RpcAssert.Fails(StatusCode.NotFound, "members[0].id", () => a.AddAsync(groupA, groupB));
        Assert.Empty((await b.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(userB) })).GroupIds);
    }

    [Fact]
    public async Task AddMembers_RejectsCycles_IncludingSelfMembership()
    {
        var t = await silo.NewTenantAsync();
        var a = await t.CreateGroupAsync("a");
        var b = await t.CreateGroupAsync("b");
        var c = await t.CreateGroupAsync("c");
        await t.AddAsync(a, b);
        await t.AddAsync(b, c);

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "members[0].id", () => t.AddAsync(c, a));
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "members[0].id", () => t.AddAsync(a, a));
        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = c.Id })).Members);
    }

    [Fact]
    public async Task CycleCheck_FollowsDeletedGroups_SoRestoreCannotCloseACycle()
    {
        var t = await silo.NewTenantAsync();
        var a = await t.CreateGroupAsync("a");
        var b = await t.CreateGroupAsync("b");
        var c = await t.CreateGroupAsync("c");
        await t.AddAsync(a, b);
        await t.AddAsync(b, c);
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = b.Id });

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "members[0].id", () => t.AddAsync(c, a));

        await t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = b.Id });
        Assert.Equal(new[] { b.Id, c.Id }.Order(StringComparer.Ordinal), await t.TransitiveMemberIdsAsync(a));
    }

    [Fact]
    public async Task ListMembers_PagesAndLeavesOutDeletedMembers()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        var users = await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => t.CreateUserAsync()));
        await t.AddAsync(group, users.Cast<object>().ToArray());
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = users[3].Id });

        var seen = new List<string>();
        var request = new ListMembersRequest { GroupId = group.Id, PageSize = 2 };
        do
        {
            var page = await t.Members.ListMembersAsync(request);
            Assert.True(page.Members.Count <= 2);
            seen.AddRange(page.Members.Select(m => m.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");

        Assert.Equal(users.Where((_, i) => i != 3).Select(u => u.Id).Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task MemberReads_ReturnNotFound_ForDeletedOrUnknownObjects()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id });
        await RpcAssert.Fails(StatusCode.NotFound, "group_id", () => t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "group_id", () => t.Members.ListTransitiveMembersAsync(new ListMembersRequest { GroupId = group.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "principal.id", () => t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = Guid.NewGuid().ToString(), Type = ObjectType.User } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "principal", () => t.Members.ListTransitiveMemberOfAsync(new ListMemberOfRequest()));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_size", () => t.Members.ListMembersAsync(new ListMembersRequest { GroupId = Guid.NewGuid().ToString(), PageSize = 1000 }));
    }
}
