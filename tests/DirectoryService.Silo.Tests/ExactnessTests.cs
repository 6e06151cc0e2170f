using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Randomized histories of membership changes — nesting, removals mid-chain, deleting and
/// restoring groups — made through one silo, with every answer read through the other and checked
/// against a model of the graph: once a change is acknowledged, no answer on any silo may miss it.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ExactnessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RandomHistories_AnswerExactly_OnBothSilos(int seed)
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = await Task.WhenAll(new[] { "a", "b" }.Select(n => SiloProcess.StartAsync(n, cluster)));
        try
        {
            var tenant = "exact-" + Guid.NewGuid().ToString("N")[..6];
            await DirectoryClient.CreateTenantAsync(silos[0].Channel, tenant);
            var clients = silos.Select(s => new DirectoryClient(s.Channel, tenant)).ToArray();
            var users = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                users.Add((await clients[0].Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"u{i}@{tenant}.example.com", DisplayName = "u" + i } })).Id);
            }

            var groups = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                groups.Add((await clients[0].Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" + i, SecurityEnabled = true } })).Id);
            }

            var model = new MembershipModel();
            var deleted = new HashSet<string>();
            var random = new Random(seed);
            var checks = 0;
            for (var step = 0; step < 120; step++)
            {
                var writer = clients[random.Next(2)];
                var reader = clients[random.Next(2)];
                var group = groups[random.Next(groups.Count)];
                var live = !deleted.Contains(group);
                switch (random.Next(10))
                {
                    case < 4:
                    {
                        var user = users[random.Next(users.Count)];
                        if (live)
                        {
                            await writer.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { Ref(user, ObjectType.User) } });
                            model.Add(group, user);
                        }

                        break;
                    }

                    case < 7:
                    {
                        var child = groups[random.Next(groups.Count)];
                        if (!live || deleted.Contains(child))
                        {
                            break;
                        }

                        var cycle = model.WouldCycle(group, child);
                        var status = await Outcomes.StatusOf(() => writer.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { Ref(child, ObjectType.Group) } }).ResponseAsync);
                        Assert.Equal(cycle ? StatusCode.FailedPrecondition : StatusCode.OK, status);
                        if (!cycle)
                        {
                            model.Add(group, child);
                        }

                        break;
                    }

                    case < 9:
                    {
                        var edges = users.Select(u => (Id: u, Type: ObjectType.User)).Concat(groups.Select(g => (Id: g, Type: ObjectType.Group)))
                            .Where(m => model.Has(group, m.Id)).ToList();
                        if (live && edges.Count > 0)
                        {
                            var (id, type) = edges[random.Next(edges.Count)];
                            await writer.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = Ref(id, type) });
                            model.Remove(group, id);
                        }

                        break;
                    }

                    default:
                        if (live)
                        {
                            await writer.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group });
                            deleted.Add(group);
                        }
                        else
                        {
                            await writer.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = group });
                            deleted.Remove(group);
                        }

                        model.SetDeleted(group, deleted.Contains(group));
                        break;
                }

                var asked = users[random.Next(users.Count)];
                var groupsOf = await reader.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(asked, ObjectType.User) });
                Assert.True(model.GroupsOf(asked).SequenceEqual(groupsOf.GroupIds), $"step {step}: groups of {asked}");

                var probe = groups[random.Next(groups.Count)];
                if (!deleted.Contains(probe))
                {
                    var members = await TransitiveMembersAsync(reader, probe);
                    Assert.True(model.MembersOf(probe).SequenceEqual(members), $"step {step}: transitive members of {probe}");
                }

                checks++;
            }

            output.WriteLine($"seed {seed}: {checks} steps, every answer matched the model");
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static DirectoryObjectRef Ref(string id, ObjectType type) => new() { Id = id, Type = type };

    private static async Task<List<string>> TransitiveMembersAsync(DirectoryClient client, string group)
    {
        var ids = new List<string>();
        var request = new ListMembersRequest { GroupId = group, PageSize = 999 };
        do
        {
            var page = await client.Members.ListTransitiveMembersAsync(request);
            ids.AddRange(page.Members.Select(m => m.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return ids;
    }
}
