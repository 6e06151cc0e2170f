using System.Diagnostics;
using Grpc.Core;
using DirectoryService.Grpc.V1;
using DirectoryService.LoadGenerator.Workloads;

namespace DirectoryService.LoadGenerator.Dataset;

/// <summary>
/// Loads the dataset through the public API, in phases (users, groups, members) so the memory of
/// a silo can be sampled between them: CreateUser and CreateGroup one object per call, then
/// AddMembers with up to 20 members per call. Calls run <c>concurrency</c> at a time, spread over
/// groups so concurrent calls land on different groups.
/// </summary>
public sealed class DatasetLoader(TenantClients tenant, Dataset dataset, string idsPath, int concurrency)
{
    private const int MembersPerCall = 20;

    public async Task<PhaseResult> RunAsync(string phase)
    {
        await tenant.EnsureTenantAsync();
        var ids = await DatasetIds.LoadAsync(idsPath);
        var clock = Stopwatch.StartNew();
        long calls = 0, objects = 0, retries = 0;
        switch (phase)
        {
            case "users":
                var users = new string[dataset.UserCount];
                await ForEachAsync(Enumerable.Range(0, dataset.UserCount), async u =>
                {
                    users[u] = (await tenant.Users.CreateUserAsync(new CreateUserRequest
                    {
                        User = new User { UserPrincipalName = $"{Dataset.UserName(u)}@{tenant.Domain}", DisplayName = "User " + u, AccountEnabled = true },
                    })).Id;
                    Interlocked.Increment(ref calls);
                    Interlocked.Increment(ref objects);
                });
                ids = new DatasetIds(users, []);
                break;
            case "groups":
                ids.Require(dataset, groups: false);
                var groups = new string[dataset.GroupCount];
                await ForEachAsync(Enumerable.Range(0, dataset.GroupCount), async g =>
                {
                    groups[g] = (await tenant.Groups.CreateGroupAsync(new CreateGroupRequest
                    {
                        Group = new Group { DisplayName = dataset.GroupName(g), SecurityEnabled = true },
                    })).Id;
                    Interlocked.Increment(ref calls);
                    Interlocked.Increment(ref objects);
                });
                ids = ids with { Groups = groups };
                break;
            case "members":
                ids.Require(dataset);
                foreach (var pass in MemberCalls(ids))
                {
                    await ForEachAsync(pass, async call =>
                    {
                        // AddMembers is idempotent: a call whose outcome is unknown (the service says
                        // so with INTERNAL or UNAVAILABLE) is retried, as a client would.
                        AddMembersResponse response;
                        for (var attempt = 1; ; attempt++)
                        {
                            try
                            {
                                response = await tenant.Members.AddMembersAsync(call);
                                break;
                            }
                            catch (RpcException e) when (e.StatusCode is StatusCode.Internal or StatusCode.Unavailable && attempt < 4)
                            {
                                Interlocked.Increment(ref retries);
                                Console.Error.WriteLine($"  retrying AddMembers after {e.StatusCode}: {e.Status.Detail}");
                                await Task.Delay(TimeSpan.FromSeconds(attempt));
                            }
                        }

                        Interlocked.Increment(ref calls);
                        Interlocked.Add(ref objects, response.AddedCount);
                    });
                }

                break;
            default:
                throw new ArgumentException($"unknown load phase '{phase}' (users, groups, members)");
        }

        await ids.SaveAsync(idsPath);
        var seconds = clock.Elapsed.TotalSeconds;
        return new PhaseResult("load-" + phase, dataset.Scale, calls, objects, Math.Round(seconds, 1), Math.Round(objects / seconds, 1), retries);
    }

    /// <summary>
    /// Every AddMembers call of the dataset, in two passes: first the nesting, then users. Group-in-group
    /// changes are serialised per tenant for the cycle check, and each waits for its member groups,
    /// so they go while no group is busy adding users. Calls are round-robin over groups so
    /// neighbours in the sequence hit different groups. The "All users" group gets its members in id
    /// order, as a bulk import of a large group would send them: a group keeps its members in id order
    /// (hashed buckets of bounded size), so each call then rewrites one or two bucket rows instead of
    /// up to twenty.
    /// </summary>
    private IEnumerable<IEnumerable<AddMembersRequest>> MemberCalls(DatasetIds ids)
    {
        var byLeaf = dataset.UsersByLeaf();
        var nesting = Enumerable.Range(byLeaf.Length, dataset.AllUsersGroup - byLeaf.Length);
        var users = Enumerable.Range(0, byLeaf.Length).Append(dataset.AllUsersGroup);
        return [RoundRobin(nesting, byLeaf, ids), RoundRobin(users, byLeaf, ids)];
    }

    private IEnumerable<AddMembersRequest> RoundRobin(IEnumerable<int> groups, List<int>[] byLeaf, DatasetIds ids)
    {
        var perGroup = groups.Select(g =>
        {
            IEnumerable<DirectoryObjectRef> members = g < byLeaf.Length
                ? byLeaf[g].Select(u => new DirectoryObjectRef { Id = ids.Users[u], Type = ObjectType.User })
                : g == dataset.AllUsersGroup
                    ? ids.Users.Order(StringComparer.Ordinal).Select(u => new DirectoryObjectRef { Id = u, Type = ObjectType.User })
                    : dataset.GroupMembers[g].Select(c => new DirectoryObjectRef { Id = ids.Groups[c], Type = ObjectType.Group });
            return members.Chunk(MembersPerCall).Select(chunk => new AddMembersRequest { GroupId = ids.Groups[g], Members = { chunk } }).GetEnumerator();
        }).ToList();

        while (perGroup.Count > 0)
        {
            for (var i = perGroup.Count - 1; i >= 0; i--)
            {
                if (perGroup[i].MoveNext())
                {
                    yield return perGroup[i].Current;
                }
                else
                {
                    perGroup.RemoveAt(i);
                }
            }
        }
    }

    private async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body)
    {
        var done = 0L;
        using var progress = new Timer(_ => Console.Error.WriteLine($"  … {Interlocked.Read(ref done)} calls"), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) =>
        {
            await body(item);
            Interlocked.Increment(ref done);
        });
    }
}

/// <summary>What one load phase did.</summary>
public sealed record PhaseResult(string Workload, double Scale, long Calls, long Objects, double Seconds, double ObjectsPerSecond, long Retries);
