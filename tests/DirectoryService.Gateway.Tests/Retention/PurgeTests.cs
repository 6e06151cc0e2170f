using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Retention;
using DirectoryService.Grains.Rows;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Retention;

/// <summary>
/// Objects past their 30-day retention are purged by their tenant's retention sweep: gone from
/// every read, index and membership direction, their names free, an audit record naming them;
/// a tenant holding nothing live or restorable can be deleted. The sweep is run directly here (the
/// reminder that runs it is tested with a short period in <see cref="RetentionReminderTests"/>).
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class PurgeTests(SiloFixture silo)
{
    private static readonly TimeSpan PastRetention = Limits.SoftDeleteRetention + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1);

    private Task<PurgeSummary> SweepAsync(TestTenant t) => silo.Grains.GetGrain<IRetentionGrain>(t.Id).SweepAsync();

    [Fact]
    public async Task APurgedUser_IsGoneFromEveryReadIndexAndGroup_AndItsNamesAreFree()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("leaver", u => u.ExternalId = "hr-leaver");
        var stays = await t.CreateUserAsync("stays");
        var group = await t.CreateGroupAsync("team");
        var parent = await t.CreateGroupAsync("department");
        await t.AddAsync(group, user, stays);
        await t.AddAsync(parent, group);
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });

        Assert.Empty((await SweepAsync(t)).Users);
        silo.Clock.Advance(PastRetention);
        var summary = await SweepAsync(t);

        Assert.Equal([user.Id], summary.Users);
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
        Assert.DoesNotContain(user.Id, await ListedAsync(t, deleted: true));
        Assert.Equal([stays.Id], await MembersAsync(t, group));
        Assert.Equal([stays.Id], (await t.TransitiveMemberIdsAsync(parent)).Where(id => id != group.Id).ToList());
        Assert.Empty(await silo.Rows.ReadKeysAsync(RowSets.UserIndex(t.Id, RowSets.Bucket(user.Id)), user.Id[..^1], user.Id + "~", 10) is { } page ? page.Items.Where(k => k == user.Id) : []);

        // Its principal name and external id are free again.
        var successor = await t.CreateUserAsync("leaver", u => u.ExternalId = "hr-leaver");
        Assert.NotEqual(user.Id, successor.Id);
        Assert.Equal(successor.Id, Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "hr-leaver" })).Users).Id);

        var record = Assert.Single(await PurgeRecordsAsync(t));
        Assert.Equal([user.Id], record.Targets);
        Assert.Equal("OK", record.Result);

        // A second sweep finds nothing left to do.
        Assert.Empty((await SweepAsync(t)).Users);
    }

    [Fact]
    public async Task APurgedGroup_LeavesItsParents_AndItsMembersLeaveIt()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("member");
        var child = await t.CreateGroupAsync("child");
        var group = await CreateGroupAsync(t, "doomed", "ext-doomed");
        var parent = await t.CreateGroupAsync("parent");
        await t.AddAsync(child, user);
        await t.AddAsync(group, user, child);
        await t.AddAsync(parent, group);
        Assert.Contains(group.Id, await t.MemberGroupsAsync(user));
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id });

        silo.Clock.Advance(PastRetention);
        var summary = await SweepAsync(t);

        Assert.Equal([group.Id], summary.Groups);
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }));
        Assert.Empty(await MembersAsync(t, parent));
        Assert.Equal([child.Id], await MemberOfAsync(t, user));
        Assert.Empty(await MemberOfAsync(t, child));
        Assert.Equal([child.Id], await t.MemberGroupsAsync(user));
        Assert.Empty(await silo.Rows.ReadKeysAsync(RowSets.Members(t.Id, group.Id), "", RowKeys.End, 10) is { } rows ? rows.Items : []);
        Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.GroupNames(t.Id, "doomed"), "", RowKeys.End, 10)).Items);

        var successor = await CreateGroupAsync(t, "doomed", "ext-doomed");
        Assert.Equal(successor.Id, Assert.Single((await t.Groups.ListGroupsAsync(new ListGroupsRequest { ExternalId = "ext-doomed" })).Groups).Id);
        Assert.Equal([group.Id], Assert.Single(await PurgeRecordsAsync(t)).Targets);
    }

    [Fact]
    public async Task ARestoreRacingAPurge_NeverLosesTheRestoredObject()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync("kept");
        var users = new List<User>();
        for (var i = 0; i < 16; i++)
        {
            users.Add(await t.CreateUserAsync($"racer{i}"));
        }

        await t.AddAsync(group, [.. users]);
        foreach (var user in users)
        {
            await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        }

        // Restores and sweeps interleave while the retention ends, half way through the restores.
        silo.Clock.Advance(Limits.SoftDeleteRetention - TimeSpan.FromMilliseconds(40));
        var restores = new List<Task<bool>>();
        var sweeps = new List<Task<PurgeSummary>>();
        foreach (var user in users)
        {
            restores.Add(RestoreAsync(t, user));
            sweeps.Add(SweepAsync(t));
            silo.Clock.Advance(TimeSpan.FromMilliseconds(2.5));
            await Task.Delay(1);
        }

        var restored = await Task.WhenAll(restores);
        await Task.WhenAll(sweeps);

        // And once every object deleted that day is past retention, the rest is purged.
        silo.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await SweepAsync(t);
        var members = await MembersAsync(t, group);
        for (var i = 0; i < users.Count; i++)
        {
            if (restored[i])
            {
                var back = await t.Users.GetUserAsync(new GetUserRequest { Id = users[i].Id });
                Assert.Equal(users[i].UserPrincipalName, back.UserPrincipalName);
                Assert.Contains(users[i].Id, members);
                Assert.Equal([group.Id], await MemberOfAsync(t, users[i]));
                Assert.Equal(users[i].Id, Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { UserPrincipalName = users[i].UserPrincipalName })).Users).Id);
            }
            else
            {
                Assert.DoesNotContain(await ListedAsync(t, deleted: true), u => u == users[i].Id);
                Assert.DoesNotContain(users[i].Id, members);
            }
        }
    }

    [Fact]
    public async Task AnObjectDeletedAgainLater_IsPurgedOnlyAfterItsLastDeletion()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("twice");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        silo.Clock.Advance(TimeSpan.FromDays(10));
        await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id });
        silo.Clock.Advance(TimeSpan.FromDays(10));
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });

        silo.Clock.Advance(TimeSpan.FromDays(12));
        Assert.Empty((await SweepAsync(t)).Users);
        Assert.Contains(user.Id, await ListedAsync(t, deleted: true));

        silo.Clock.Advance(TimeSpan.FromDays(20));
        Assert.Equal([user.Id], (await SweepAsync(t)).Users);
    }

    [Fact]
    public async Task ATenantThatHeldObjects_CanBeDeletedOnceNoneIsRestorable_AndLeavesNoRows()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("last");
        var group = await t.CreateGroupAsync("last");
        await t.AddAsync(group, user);
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id });
        var deletedOn = DateOnly.FromDateTime(silo.Clock.GetUtcNow().UtcDateTime);

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "id", () => silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Id }).ResponseAsync);

        // No sweep has run: deleting the tenant purges what is left.
        silo.Clock.Advance(PastRetention);
        await silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Id });

        Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.Purges(t.Id, deletedOn), "", RowKeys.End, 10)).Items);
        Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.Members(t.Id, group.Id), "", RowKeys.End, 10)).Items);
        Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.UserIndex(t.Id, RowSets.Bucket(user.Id)), "", RowKeys.End, 10)).Items);
        for (var shard = 0; shard < 4; shard++)
        {
            Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.Changes(t.Id, $"users/{shard}/0"), "", RowKeys.End, 10)).Items);
            Assert.Empty((await silo.Rows.ReadKeysAsync(RowSets.Changes(t.Id, $"groups/{shard}/0"), "", RowKeys.End, 10)).Items);
        }

        Assert.Equal(2, Assert.Single(await PurgeRecordsAsync(t)).Targets.Count);
    }

    private static async Task<bool> RestoreAsync(TestTenant t, User user)
    {
        try
        {
            await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = user.Id });
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<List<string>> ListedAsync(TestTenant t, bool deleted) =>
        [.. (await t.Users.ListUsersAsync(new ListUsersRequest { ShowDeleted = deleted, PageSize = 100 })).Users.Select(u => u.Id)];

    private static async Task<Group> CreateGroupAsync(TestTenant t, string name, string externalId) =>
        await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = name, SecurityEnabled = true, ExternalId = externalId } });

    private static async Task<List<string>> MembersAsync(TestTenant t, Group group) =>
        [.. (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id, PageSize = 100 })).Members.Select(m => m.Id).Order()];

    private static async Task<List<string>> MemberOfAsync(TestTenant t, object principal) =>
        [.. (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(principal), PageSize = 100 })).GroupIds.Order()];

    private async Task<List<Abstractions.Audit.AuditRecord>> PurgeRecordsAsync(TestTenant t) =>
        [.. (await silo.Audit.ListAsync(t.Id, null, null, null, 1000)).Items.Where(r => r.Operation == RetentionGrain.PurgeOperation)];
}
