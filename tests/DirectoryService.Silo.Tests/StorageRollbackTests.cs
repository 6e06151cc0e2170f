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
/// by name. Restored from a backup with no write afterwards, the silo notices on its own and answers
/// what storage holds within a few seconds.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class StorageRollbackTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StorageRestoredFromOlderData_NoCallIsInternal_AndEveryRewrittenEdgeAgrees()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var silo = await SiloProcess.StartAsync("a", (await ClusterSettings.NewAsync()) with { ConnectionString = azurite.ConnectionString });
        var (client, group, users) = await GroupAndUsersAsync(silo, "rollback", 24, department: "");

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

    [Fact]
    public async Task StorageRestoredFromABackup_TheSiloAnswersWhatItHolds_WithinSeconds_WithoutAWrite()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var silo = await SiloProcess.StartAsync("a", (await ClusterSettings.NewAsync()) with { ConnectionString = azurite.ConnectionString });
        var (client, group, users) = await GroupAndUsersAsync(silo, "restore", 8, department: "backed-up");

        await client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { users.Take(4).Select(Ref) } });
        var backup = await azurite.BackUpAsync();

        // After the backup: every user changed, members swapped; read back so that activations and caches hold it.
        await Wait.UntilAsync(async () =>
        {
            var code = await Outcomes.StatusOf(() => client.Users.UpdateUserAsync(Department(users[0], "changed")).ResponseAsync);
            return code == StatusCode.OK;
        }, TimeSpan.FromSeconds(30), "writes to be served again after the backup");
        foreach (var user in users)
        {
            await client.Users.UpdateUserAsync(Department(user, "changed"));
        }

        await client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { users.Skip(4).Select(Ref) } });
        await client.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = Ref(users[0]) });
        Assert.False(await AgreesWithBackupAsync(client, group.Id, users), "the changes were not read back before the restore");

        await azurite.RestoreAsync(backup);
        var restored = System.Diagnostics.Stopwatch.StartNew();
        await Wait.UntilAsync(async () =>
        {
            try
            {
                return await AgreesWithBackupAsync(client, group.Id, users);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "the silo to answer what the restored storage holds");
        output.WriteLine($"answers agreed with the restored storage {restored.Elapsed.TotalSeconds:0.0} s after it was started again");
    }

    /// <summary>A new tenant holding a group and <paramref name="count"/> users (none in the group yet).</summary>
    private static async Task<(DirectoryClient Client, Group Group, List<User> Users)> GroupAndUsersAsync(SiloProcess silo, string prefix, int count, string department)
    {
        var tenant = prefix + "-" + Guid.NewGuid().ToString("N")[..6];
        await DirectoryClient.CreateTenantAsync(silo.Channel, tenant);
        var client = new DirectoryClient(silo.Channel, tenant);
        var group = await client.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", SecurityEnabled = true } });
        var users = new List<User>();
        for (var i = 0; i < count; i++)
        {
            users.Add(await client.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"u{i}@{tenant}.example.com", DisplayName = "u", Department = department, AccountEnabled = true } }));
        }

        return (client, group, users);
    }

    private static DirectoryObjectRef Ref(User user) => new() { Id = user.Id, Type = ObjectType.User };

    private static UpdateUserRequest Department(User user, string department) => new()
    {
        User = new User { Id = user.Id, Department = department },
        UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "department" } },
    };

    /// <summary>Whether every read answers what the backup holds: departments, members in both directions, sign-in.</summary>
    private static async Task<bool> AgreesWithBackupAsync(DirectoryClient client, string groupId, List<User> users)
    {
        var members = await client.MembersOfAsync(groupId);
        var agrees = members.SetEquals(users.Take(4).Select(u => u.Id));
        for (var i = 0; i < users.Count; i++)
        {
            var inGroup = i < 4;
            agrees &= (await client.Users.GetUserAsync(new GetUserRequest { Id = users[i].Id })).Department == "backed-up";
            agrees &= (await client.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = users[i].UserPrincipalName })).Department == "backed-up";
            agrees &= (await client.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = Ref(users[i]), PageSize = 10 })).GroupIds.Contains(groupId) == inGroup;
            agrees &= (await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = users[i].UserPrincipalName })).GroupIds.Contains(groupId) == inGroup;
        }

        return agrees;
    }
}
