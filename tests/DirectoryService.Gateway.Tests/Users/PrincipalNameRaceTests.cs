using System.Diagnostics;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>Concurrent renames and creates that contend for principal names end promptly, with names still unique.</summary>
[Collection(SiloCollection.Name)]
public sealed class PrincipalNameRaceTests(SiloFixture silo)
{
    private static Task<User> RenameAsync(TestTenant t, User user, string upn) =>
        t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, UserPrincipalName = upn },
            UpdateMask = new FieldMask { Paths = { "user_principal_name" } },
        }).ResponseAsync;

    [Fact]
    public async Task TwoUsersSwappingNames_BothFinishPromptly_AndNamesStayUnique()
    {
        var t = await silo.NewTenantAsync();
        for (var round = 0; round < 5; round++)
        {
            var a = await t.CreateUserAsync($"swap-a{round}");
            var b = await t.CreateUserAsync($"swap-b{round}");
            var watch = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(
                Outcome(() => RenameAsync(t, a, b.UserPrincipalName)),
                Outcome(() => RenameAsync(t, b, a.UserPrincipalName)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the swap took {watch.Elapsed}");
            Assert.All(outcomes, o => Assert.Contains(o, new[] { StatusCode.OK, StatusCode.AlreadyExists }));

            var users = await Task.WhenAll(new[] { a.Id, b.Id }.Select(async id => await t.Users.GetUserAsync(new GetUserRequest { Id = id })));
            Assert.NotEqual(users[0].UserPrincipalName, users[1].UserPrincipalName, StringComparer.OrdinalIgnoreCase);
            foreach (var user in users)
            {
                Assert.Equal(user.Id, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName })).Id);
            }
        }
    }

    [Fact]
    public async Task ConcurrentCreatesAndRenamesToOneName_LeaveExactlyOneHolder()
    {
        var t = await silo.NewTenantAsync();
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => t.CreateUserAsync($"contender{i}")));
        var name = t.Upn("wanted");
        var outcomes = await Task.WhenAll(
            others.Select(u => Outcome(() => RenameAsync(t, u, name)))
                .Concat(Enumerable.Range(0, 4).Select(_ => Outcome(() => t.CreateUserAsync("wanted")))));
        Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
        Assert.All(outcomes, o => Assert.Contains(o, new[] { StatusCode.OK, StatusCode.AlreadyExists }));
        var holders = await t.Users.ListUsersAsync(new ListUsersRequest { UserPrincipalName = name });
        Assert.Single(holders.Users);
    }

    private static async Task<StatusCode> Outcome(Func<Task> call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await DirectoryService.Testing.Outcomes.StatusOf(call).WaitAsync(timeout.Token);
    }
}
