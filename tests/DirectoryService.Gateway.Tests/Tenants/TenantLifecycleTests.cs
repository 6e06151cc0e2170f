using System.Collections.Concurrent;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Tenants;

/// <summary>Nothing is ever created in a tenant that does not exist or was deleted.</summary>
[Collection(SiloCollection.Name)]
public sealed class TenantLifecycleTests(SiloFixture silo)
{
    private static string NewId() => "life-" + Guid.NewGuid().ToString("N")[..10];

    private async Task CreateTenantAsync(string id) =>
        await silo.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Tenant = new Tenant { DisplayName = id, VerifiedDomains = { $"{id}.example.com" } } });

    private async Task<(int Users, int Groups)> CountAsync(TestTenant t)
    {
        var users = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 999, ShowDeleted = false });
        var deletedUsers = await t.Users.ListUsersAsync(new ListUsersRequest { PageSize = 999, ShowDeleted = true });
        var groups = await t.Groups.ListGroupsAsync(new ListGroupsRequest { PageSize = 999 });
        var deletedGroups = await t.Groups.ListGroupsAsync(new ListGroupsRequest { PageSize = 999, ShowDeleted = true });
        return (users.Users.Count + deletedUsers.Users.Count, groups.Groups.Count + deletedGroups.Groups.Count);
    }

    [Fact]
    public async Task Creates_InATenantThatWasNeverCreated_AreNotFound_AndTheTenantStartsEmpty()
    {
        var id = NewId();
        var ghost = new TestTenant(silo, id, $"{id}.example.com");

        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => ghost.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" } }));
        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => ghost.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = ghost.Upn("u"), DisplayName = "u" } }));

        await CreateTenantAsync(id);
        Assert.Equal((0, 0), await CountAsync(ghost));
        await ghost.CreateUserAsync("u");
    }

    [Fact]
    public async Task ADeletedTenant_AdmitsNoCreates_AndStartsEmptyWhenCreatedAgain()
    {
        var id = NewId();
        await CreateTenantAsync(id);
        var t = new TestTenant(silo, id, $"{id}.example.com");
        await silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = id });

        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" } }));
        await RpcAssert.Fails(StatusCode.NotFound, "tenant", () => t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = t.Upn("u"), DisplayName = "u" } }));

        await CreateTenantAsync(id);
        Assert.Equal((0, 0), await CountAsync(t));
    }

    [Fact]
    public async Task DeletingATenant_WhileObjectsAreCreated_EitherRefusesOrLeavesNoObject()
    {
        for (var round = 0; round < 6; round++)
        {
            var id = NewId();
            await CreateTenantAsync(id);
            var t = new TestTenant(silo, id, $"{id}.example.com");
            var created = new ConcurrentBag<string>();
            var creates = Enumerable.Range(0, 12).Select(async i =>
            {
                await Task.Delay(i * 3);
                try
                {
                    created.Add(i % 2 == 0 ? (await t.CreateGroupAsync("g" + i)).Id : (await t.CreateUserAsync("u" + i)).Id);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                }
            }).ToList();
            await Task.Delay(round * 6);
            var deleted = await Outcomes.StatusOf(async () => await silo.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = id }));
            await Task.WhenAll(creates);

            if (deleted == StatusCode.OK)
            {
                // Every create acknowledged before the deletion would have stopped it; none may land after it.
                Assert.Empty(created);
                await CreateTenantAsync(id);
                Assert.Equal((0, 0), await CountAsync(t));
            }
            else
            {
                Assert.Equal(StatusCode.FailedPrecondition, deleted);
                var (users, groups) = await CountAsync(t);
                Assert.Equal(created.Count, users + groups);
            }
        }
    }
}
