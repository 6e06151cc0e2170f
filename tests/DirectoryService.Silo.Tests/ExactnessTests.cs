using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Randomized histories of membership changes — nesting, removals mid-chain, deleting and
/// restoring groups — and of user changes — disabling, renaming, deleting and restoring — made
/// through either silo, with every answer (sign-in by name, GetMemberGroups, transitive members)
/// read through either silo and checked against a model: once a change is acknowledged, no answer
/// on any silo may miss it, however warm that silo's caches are.
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
                users.Add((await clients[0].Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"u{i}@{tenant}.example.com", DisplayName = "u" + i, AccountEnabled = true } })).Id);
            }

            var groups = new List<string>();
            for (var i = 0; i < 8; i++)
            {
                groups.Add((await clients[0].Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" + i, SecurityEnabled = true } })).Id);
            }

            var model = new MembershipModel();
            var deleted = new HashSet<string>();
            var names = users.Select((u, i) => (u, n: $"u{i}@{tenant}.example.com")).ToDictionary(x => x.u, x => x.n);
            var formerNames = new List<string>();
            var disabled = new HashSet<string>();
            var deletedUsers = new HashSet<string>();
            var random = new Random(seed);
            var checks = 0;
            for (var step = 0; step < 150; step++)
            {
                var writer = clients[random.Next(2)];
                var reader = clients[random.Next(2)];
                var group = groups[random.Next(groups.Count)];
                var live = !deleted.Contains(group);
                switch (random.Next(13))
                {
                    case >= 10:
                    {
                        var user = users[random.Next(users.Count)];
                        if (deletedUsers.Remove(user))
                        {
                            await writer.Users.RestoreUserAsync(new RestoreUserRequest { Id = user });
                            model.SetDeleted(user, false);
                        }
                        else if (random.Next(3) == 0)
                        {
                            await writer.Users.DeleteUserAsync(new DeleteUserRequest { Id = user });
                            deletedUsers.Add(user);
                            model.SetDeleted(user, true);
                        }
                        else if (random.Next(2) == 0)
                        {
                            var enable = disabled.Contains(user);
                            await writer.Users.UpdateUserAsync(new UpdateUserRequest
                            {
                                User = new User { Id = user, AccountEnabled = enable },
                                UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "account_enabled" } },
                            });
                            if (enable)
                            {
                                disabled.Remove(user);
                            }
                            else
                            {
                                disabled.Add(user);
                            }
                        }
                        else
                        {
                            var name = $"r{step}-{names[user]}";
                            await writer.Users.UpdateUserAsync(new UpdateUserRequest
                            {
                                User = new User { Id = user, UserPrincipalName = name },
                                UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "user_principal_name" } },
                            });
                            formerNames.Add(names[user]);
                            names[user] = name;
                        }

                        break;
                    }

                    case < 4:
                    {
                        var user = users[random.Next(users.Count)];
                        if (live && !deletedUsers.Contains(user))
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
                            .Where(m => model.Has(group, m.Id) && !deletedUsers.Contains(m.Id)).ToList();
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
                var signIn = () => reader.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = names[asked].ToUpperInvariant() }).ResponseAsync;
                if (deletedUsers.Contains(asked))
                {
                    Assert.Equal(StatusCode.NotFound, await Outcomes.StatusOf(signIn));
                    Assert.Equal(StatusCode.NotFound, await Outcomes.StatusOf(() => reader.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(asked, ObjectType.User) }).ResponseAsync));
                }
                else
                {
                    var groupsOf = await reader.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(asked, ObjectType.User) });
                    Assert.True(model.GroupsOf(asked).SequenceEqual(groupsOf.GroupIds), $"step {step}: groups of {asked}");
                    var resolved = await signIn();
                    Assert.Equal(asked, resolved.UserId);
                    Assert.Equal(!disabled.Contains(asked), resolved.AccountEnabled);
                    Assert.True((disabled.Contains(asked) ? new SortedSet<string>() : model.GroupsOf(asked)).SequenceEqual(resolved.GroupIds), $"step {step}: sign-in groups of {asked}");
                    var byName = await reader.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = names[asked] });
                    Assert.Equal((asked, !disabled.Contains(asked)), (byName.Id, byName.AccountEnabled));
                }

                if (formerNames.Count > 0)
                {
                    var former = formerNames[random.Next(formerNames.Count)];
                    Assert.Equal(StatusCode.NotFound, await Outcomes.StatusOf(() => reader.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = former }).ResponseAsync));
                }

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
