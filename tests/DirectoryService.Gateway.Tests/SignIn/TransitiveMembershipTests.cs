using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.SignIn;

/// <summary>Nesting, diamonds, removal mid-chain, soft delete and the sign-in answers built on them.</summary>
[Collection(SiloCollection.Name)]
public sealed class TransitiveMembershipTests(SiloFixture silo)
{
    [Fact]
    public async Task Nesting10Deep_IsResolvedInBothDirections()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var chain = new List<Group>();
        for (var i = 0; i < 11; i++)
        {
            chain.Add(await t.CreateGroupAsync("level" + i));
        }

        await t.AddAsync(chain[0], user);
        for (var i = 1; i < chain.Count; i++)
        {
            await t.AddAsync(chain[i], chain[i - 1]);
        }

        Assert.Equal(chain.Select(g => g.Id).Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
        var top = await t.TransitiveMemberIdsAsync(chain[^1]);
        Assert.Equal(chain.SkipLast(1).Select(g => g.Id).Append(user.Id).Order(StringComparer.Ordinal), top);

        var check = await t.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest
        {
            Principal = TestTenant.Ref(user),
            GroupIds = { chain[^1].Id, Guid.NewGuid().ToString(), chain[5].Id },
        });
        Assert.Equal([chain[^1].Id, chain[5].Id], check.GroupIds);
    }

    [Fact]
    public async Task Diamond_CountsTheGroupOnce_AndSurvivesLosingOnePath()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var left = await t.CreateGroupAsync("left");
        var right = await t.CreateGroupAsync("right");
        var top = await t.CreateGroupAsync("top");
        await t.AddAsync(left, user);
        await t.AddAsync(right, user);
        await t.AddAsync(top, left, right);

        Assert.Equal(new[] { left.Id, right.Id, top.Id }.Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
        Assert.Equal(3, (await t.TransitiveMemberIdsAsync(top)).Count);

        await t.RemoveAsync(left, user);
        Assert.Equal(new[] { right.Id, top.Id }.Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
        await t.RemoveAsync(right, user);
        Assert.Empty(await t.MemberGroupsAsync(user));
    }

    [Fact]
    public async Task RemovalMidChain_CutsEverythingAbove()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var g1 = await t.CreateGroupAsync("g1");
        var g2 = await t.CreateGroupAsync("g2");
        var g3 = await t.CreateGroupAsync("g3");
        await t.AddAsync(g1, user);
        await t.AddAsync(g2, g1);
        await t.AddAsync(g3, g2);

        await t.RemoveAsync(g2, g1);

        Assert.Equal([g1.Id], await t.MemberGroupsAsync(user));
        Assert.Empty(await t.TransitiveMemberIdsAsync(g2));
        var resolved = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).UserPrincipalName });
        Assert.Equal([g1.Id], resolved.GroupIds);
    }

    [Fact]
    public async Task DeletedGroup_ConfersNoMembership_UntilRestored()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var inner = await t.CreateGroupAsync("inner");
        var outer = await t.CreateGroupAsync("outer");
        await t.AddAsync(inner, user);
        await t.AddAsync(outer, inner);

        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = inner.Id });
        Assert.Empty(await t.MemberGroupsAsync(user));
        Assert.Empty(await t.TransitiveMemberIdsAsync(outer));

        await t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = inner.Id });
        Assert.Equal(new[] { inner.Id, outer.Id }.Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
    }

    [Fact]
    public async Task DeletedUser_DisappearsFromEveryAnswer_AndComesBackOnRestore()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("leaver");
        var group = await t.CreateGroupAsync();
        var outer = await t.CreateGroupAsync("outer");
        await t.AddAsync(group, user);
        await t.AddAsync(outer, group);

        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });

        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members);
        Assert.Equal([group.Id], await t.TransitiveMemberIdsAsync(outer));
        await RpcAssert.Fails(StatusCode.NotFound, "principal.id", () => t.MemberGroupsAsync(user));
        await RpcAssert.Fails(StatusCode.NotFound, "user_principal_name", () => t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName }).ResponseAsync);

        await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id });
        Assert.Equal(new[] { group.Id, outer.Id }.Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
        Assert.Equal([user.Id], (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id));
    }

    [Fact]
    public async Task ResolveSignIn_ReturnsGroupsClaim_UpTo200_ThenOverage()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("busy");
        var groups = new List<Group>();
        foreach (var chunk in Enumerable.Range(0, 201).Chunk(20))
        {
            var created = await Task.WhenAll(chunk.Select(i => t.CreateGroupAsync("g" + i)));
            groups.AddRange(created);
            await Task.WhenAll(created.Select(g => t.AddAsync(g, user)));
        }

        var request = new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName.ToUpperInvariant() };
        var overage = await t.SignIn.ResolveSignInAsync(request);
        Assert.Equal(user.Id, overage.UserId);
        Assert.True(overage.AccountEnabled);
        Assert.True(overage.GroupsOverage);
        Assert.Empty(overage.GroupIds);
        Assert.Equal(201, (await t.MemberGroupsAsync(user)).Count);

        await t.RemoveAsync(groups[0], user);
        var exact = await t.SignIn.ResolveSignInAsync(request);
        Assert.False(exact.GroupsOverage);
        Assert.Equal(groups.Skip(1).Select(g => g.Id).Order(StringComparer.Ordinal), exact.GroupIds);
    }

    [Fact]
    public async Task SecurityEnabledOnly_FiltersTheResult_ButTraversesThroughDistributionGroups()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var dist = await t.CreateGroupAsync("dist", securityEnabled: false);
        var sec = await t.CreateGroupAsync("sec", securityEnabled: true);
        await t.AddAsync(dist, user);
        await t.AddAsync(sec, dist);

        Assert.Equal([sec.Id], await t.MemberGroupsAsync(user, securityOnly: true));
        Assert.Equal(2, (await t.MemberGroupsAsync(user)).Count);
        var resolved = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName, SecurityEnabledOnly = true });
        Assert.Equal([sec.Id], resolved.GroupIds);
    }

    [Fact]
    public async Task ResolveSignIn_DisabledAccount_GetsNoGroups()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync(configure: u => u.AccountEnabled = false);
        var group = await t.CreateGroupAsync();
        await t.AddAsync(group, user);

        var resolved = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName });
        Assert.Equal(user.Id, resolved.UserId);
        Assert.False(resolved.AccountEnabled);
        Assert.Empty(resolved.GroupIds);
    }

    [Fact]
    public async Task SignInCalls_ValidateTheirInput()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var ids = Enumerable.Range(0, 21).Select(_ => Guid.NewGuid().ToString());
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group_ids", () => t.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = TestTenant.Ref(user), GroupIds = { ids } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group_ids", () => t.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = TestTenant.Ref(user) }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group_ids[0]", () => t.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = TestTenant.Ref(user), GroupIds = { "x" } }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "principal", () => t.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest()));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user_principal_name", () => t.SignIn.ResolveSignInAsync(new ResolveSignInRequest()));
        await RpcAssert.Fails(StatusCode.NotFound, "principal.id", () => t.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = new DirectoryObjectRef { Id = Guid.NewGuid().ToString(), Type = ObjectType.Group }, GroupIds = { Guid.NewGuid().ToString() } }));
    }
}
