using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>
/// Tenant A's caller naming tenant B's objects gets exactly the answer it gets for ids that exist
/// nowhere, and B's data does not change.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class CrossTenantProbeTests(SiloFixture silo)
{
    private delegate Task Probe(TestTenant caller, string userId, string groupId, string upn);

    private static DirectoryObjectRef U(string id) => new() { Id = id, Type = ObjectType.User };

    private static DirectoryObjectRef G(string id) => new() { Id = id, Type = ObjectType.Group };

    private static readonly Dictionary<string, Probe> Probes = new()
    {
        ["GetUser"] = async (c, u, _, _) => await c.Users.GetUserAsync(new GetUserRequest { Id = u }),
        ["GetUserByName"] = async (c, _, _, n) => await c.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = n }),
        ["UpdateUser"] = async (c, u, _, _) => await c.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = u, DisplayName = "pwned" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }),
        ["DeleteUser"] = async (c, u, _, _) => await c.Users.DeleteUserAsync(new DeleteUserRequest { Id = u }),
        ["RestoreUser"] = async (c, u, _, _) => await c.Users.RestoreUserAsync(new RestoreUserRequest { Id = u }),
        ["BatchGetUsers"] = async (c, u, _, _) => Assert.Empty((await c.Users.BatchGetUsersAsync(new BatchGetUsersRequest { Ids = { u } })).Users),
        ["GetGroup"] = async (c, _, g, _) => await c.Groups.GetGroupAsync(new GetGroupRequest { Id = g }),
        ["UpdateGroup"] = async (c, _, g, _) => await c.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = g, DisplayName = "pwned" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }),
        ["DeleteGroup"] = async (c, _, g, _) => await c.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = g }),
        ["RestoreGroup"] = async (c, _, g, _) => await c.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = g }),
        ["BatchGetGroups"] = async (c, _, g, _) => Assert.Empty((await c.Groups.BatchGetGroupsAsync(new BatchGetGroupsRequest { Ids = { g } })).Groups),
        ["AddMembersToForeignGroup"] = async (c, _, g, _) => await c.Members.AddMembersAsync(new AddMembersRequest { GroupId = g, Members = { U(c.OwnUserId!) } }),
        ["AddForeignUser"] = async (c, u, _, _) => await c.Members.AddMembersAsync(new AddMembersRequest { GroupId = c.OwnGroupId!, Members = { U(u) } }),
        ["AddForeignGroup"] = async (c, _, g, _) => await c.Members.AddMembersAsync(new AddMembersRequest { GroupId = c.OwnGroupId!, Members = { G(g) } }),
        ["RemoveMember"] = async (c, u, g, _) => await c.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = g, Member = U(u) }),
        ["ListMembers"] = async (c, _, g, _) => await c.Members.ListMembersAsync(new ListMembersRequest { GroupId = g }),
        ["ListTransitiveMembers"] = async (c, _, g, _) => await c.Members.ListTransitiveMembersAsync(new ListMembersRequest { GroupId = g }),
        ["ListMemberOf"] = async (c, u, _, _) => await c.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = U(u) }),
        ["ListTransitiveMemberOf"] = async (c, u, _, _) => await c.Members.ListTransitiveMemberOfAsync(new ListMemberOfRequest { Principal = U(u) }),
        ["CheckMemberGroups"] = async (c, u, g, _) => await c.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = U(u), GroupIds = { g } }),
        ["GetMemberGroups"] = async (c, u, _, _) => await c.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = U(u) }),
        ["ResolveSignIn"] = async (c, _, _, n) => await c.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = n }),
    };

    [Fact]
    public async Task ProbesOfAnotherTenantsObjects_AnswerAsForUnknownIds_AndChangeNothing()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        a.OwnUserId = (await a.CreateUserAsync("mine")).Id;
        a.OwnGroupId = (await a.CreateGroupAsync("mine")).Id;
        var victim = await b.CreateUserAsync("victim");
        var victimGroup = await b.CreateGroupAsync("victims");
        await b.AddAsync(victimGroup, victim);
        var before = (await Snapshot(b, victim, victimGroup));

        var failures = new List<string>();
        foreach (var (name, probe) in Probes)
        {
            var foreign = await Outcome(() => probe(a, victim.Id, victimGroup.Id, victim.UserPrincipalName.Replace(b.Domain, a.Domain)));
            var unknown = await Outcome(() => probe(a, Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), $"nobody@{a.Domain}"));
            if (foreign != unknown)
            {
                failures.Add($"{name}: foreign ids answered '{foreign}', unknown ids '{unknown}'");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await Snapshot(b, victim, victimGroup));
    }

    private static async Task<string> Snapshot(TestTenant b, User user, Group group) =>
        (await b.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).ToString()
        + (await b.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }))
        + (await b.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id }))
        + (await b.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = U(user.Id) }));

    /// <summary>The status and the field named, with ids stripped so the two answers compare.</summary>
    private static async Task<string> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return "OK";
        }
        catch (RpcException e)
        {
            var field = e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.FirstOrDefault()?.Field;
            return $"{e.StatusCode} {field}";
        }
    }
}
