using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Storage goes back in time under a running silo — Azurite killed with kill -9 under a membership
/// load and started again on its data folder, losing its last seconds, as a restore from an older
/// backup would. No call answers INTERNAL; and once each edge is written again (a no-op included),
/// both directions of every membership agree, sign-in agrees, and every user found by id is found
/// by name.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class StorageRollbackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StorageRestoredFromOlderData_NoCallIsInternal_AndEveryRewrittenEdgeAgrees()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var cluster = (await ClusterSettings.NewAsync()) with { ConnectionString = azurite.ConnectionString };
        await using var silo = await SiloProcess.StartAsync("a", cluster);
        var tenant = "rollback-" + Guid.NewGuid().ToString("N")[..6];
        await DirectoryClient.CreateTenantAsync(silo.Channel, tenant);
        var client = new DirectoryClient(silo.Channel, tenant);
        var group = await client.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", SecurityEnabled = true } });
        var users = new List<User>();
        for (var i = 0; i < 24; i++)
        {
            users.Add(await client.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"r{i}@{tenant}.example.com", DisplayName = "r", AccountEnabled = true } }));
        }

        // Azurite saves its tables every few seconds: let the users reach its disk.
        await Task.Delay(TimeSpan.FromSeconds(6));

        var codes = new System.Collections.Concurrent.ConcurrentBag<StatusCode>();
        using var stop = new CancellationTokenSource();
        var random = new Random(7);
        var load = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var user = users[n % users.Count];
                var member = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User };
                codes.Add(await Outcomes.StatusOf(() => n / users.Count % 2 == 0
                    ? client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { member } }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync
                    : client.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = member }, deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync));
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(3));
        await azurite.CrashAndRestartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        stop.Cancel();
        await load;
        output.WriteLine($"during and after the rollback: {string.Join(", ", codes.GroupBy(c => c).Select(g => $"{g.Key} {g.Count()}"))}");
        Assert.DoesNotContain(StatusCode.Internal, codes);

        // Every edge written again: even members first, odd ones removed (a no-op for many).
        var expected = new HashSet<string>();
        for (var i = 0; i < users.Count; i++)
        {
            var member = new DirectoryObjectRef { Id = users[i].Id, Type = ObjectType.User };
            var adding = i % 2 == 0;
            await Wait.UntilAsync(async () =>
            {
                var code = await Outcomes.StatusOf(() => adding
                    ? client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { member } }).ResponseAsync
                    : client.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = member }).ResponseAsync);
                Assert.NotEqual(StatusCode.Internal, code);
                return code == StatusCode.OK || (!adding && code == StatusCode.NotFound);
            }, TimeSpan.FromSeconds(30), $"the edge of user {i} to be written");
            if (adding)
            {
                expected.Add(users[i].Id);
            }
        }

        Assert.Equal(expected.Order(), (await client.MembersOfAsync(group.Id)).Order());
        foreach (var user in users)
        {
            var memberOf = (await client.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User }, PageSize = 10 })).GroupIds;
            Assert.Equal(expected.Contains(user.Id), memberOf.Contains(group.Id));
            Assert.Equal(expected.Contains(user.Id), (await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName })).GroupIds.Contains(group.Id));
            Assert.Equal(user.Id, (await client.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).Id);
            Assert.Equal(user.Id, (await client.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName })).Id);
        }
    }
}
