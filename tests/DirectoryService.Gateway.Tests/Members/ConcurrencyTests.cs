using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Members;

/// <summary>Races a client can cause: nothing acknowledged is lost or silently overwritten.</summary>
[Collection(SiloCollection.Name)]
public sealed class ConcurrencyTests(SiloFixture silo)
{
    [Fact]
    public async Task FiftyConcurrentCreates_OfOnePrincipalName_YieldExactlyOneUser()
    {
        var t = await silo.NewTenantAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                var upn = i % 2 == 0 ? t.Upn("race") : t.Upn("RACE");
                return (await t.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = upn, DisplayName = "r" + i } })).Id;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, id => id is not null);
        var listed = await t.Users.ListUsersAsync(new ListUsersRequest());
        Assert.Equal([winner], listed.Users.Select(u => u.Id));
        Assert.Equal(winner, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("race") })).Id);
    }

    [Fact]
    public async Task ConcurrentUpdates_WithTheSameEtag_HaveExactlyOneWinner()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                var updated = await t.Users.UpdateUserAsync(new UpdateUserRequest
                {
                    User = new User { Id = user.Id, JobTitle = "title" + i, Etag = user.Etag },
                    UpdateMask = new FieldMask { Paths = { "job_title" } },
                });
                return updated.JobTitle;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, title => title is not null);
        Assert.Equal(winner, (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).JobTitle);
    }

    [Fact]
    public async Task ConcurrentAddAndRemove_ConvergeWithBothDirectionsAgreeing()
    {
        var t = await silo.NewTenantAsync();
        var groups = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => t.CreateGroupAsync("g" + i)));
        var users = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => t.CreateUserAsync()));
        var random = new Random(1234);
        var operations = Enumerable.Range(0, 200).Select(_ => (Group: groups[random.Next(groups.Length)], User: users[random.Next(users.Length)], Add: random.Next(2) == 0)).ToList();

        await Task.WhenAll(operations.Select(async op =>
        {
            try
            {
                if (op.Add)
                {
                    await t.AddAsync(op.Group, op.User);
                }
                else
                {
                    await t.RemoveAsync(op.Group, op.User);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removing a member that is not (yet, or any more) there.
            }
        }));

        var forward = new HashSet<(string Group, string User)>();
        foreach (var group in groups)
        {
            var members = await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id, PageSize = 999 });
            forward.UnionWith(members.Members.Select(m => (group.Id, m.Id)));
        }

        var reverse = new HashSet<(string Group, string User)>();
        foreach (var user in users)
        {
            var of = await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(user), PageSize = 999 });
            reverse.UnionWith(of.GroupIds.Select(g => (g, user.Id)));
            Assert.Equal(of.GroupIds.Order(StringComparer.Ordinal), await t.MemberGroupsAsync(user));
        }

        Assert.Equal(forward.Order(), reverse.Order());
    }

    [Fact]
    public async Task ConcurrentOppositeNestings_NeverBothSucceed()
    {
        var t = await silo.NewTenantAsync();
        for (var round = 0; round < 10; round++)
        {
            var a = await t.CreateGroupAsync("a" + round);
            var b = await t.CreateGroupAsync("b" + round);
            var results = await Task.WhenAll(Attempt(() => t.AddAsync(a, b)), Attempt(() => t.AddAsync(b, a)));

            Assert.Equal(1, results.Count(ok => ok));
        }

        static async Task<bool> Attempt(Func<Task> add)
        {
            try
            {
                await add();
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return false;
            }
        }
    }
}
