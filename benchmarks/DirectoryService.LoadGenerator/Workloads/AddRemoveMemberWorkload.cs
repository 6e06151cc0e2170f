using DirectoryService.Grpc.V1;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>
/// Durable membership changes: each worker alternately adds and removes its own users to and from a
/// shared set of groups, one change per call. Every add is checked to be new and every remove to
/// succeed, so a lost or duplicated change shows up as a mismatch.
/// </summary>
public sealed class AddRemoveMemberWorkload(TenantClients tenant, int concurrency, int groups) : IWorkload
{
    private const int UsersPerWorker = 16;
    private string[] _users = [];
    private string[] _groups = [];
    private long _mismatches;

    public long Mismatches => Interlocked.Read(ref _mismatches);

    public async Task PrepareAsync()
    {
        await tenant.EnsureTenantAsync();
        _users = await tenant.CreateUsersAsync("member", concurrency * UsersPerWorker);
        _groups = await Task.WhenAll(Enumerable.Range(0, groups).Select(async g =>
            (await tenant.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "bench" + g, SecurityEnabled = true } })).Id));
    }

    public async Task ExecuteAsync(int worker, long iteration)
    {
        // Iterations 2k and 2k+1 add and then remove the same (user, group) pair.
        var pair = iteration / 2;
        var user = _users[worker * UsersPerWorker + (int)(pair % UsersPerWorker)];
        var group = _groups[(int)((pair / UsersPerWorker + worker) % _groups.Length)];
        var member = new DirectoryObjectRef { Id = user, Type = ObjectType.User };
        if (iteration % 2 == 0)
        {
            var added = await tenant.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { member } });
            if (added.AddedCount != 1)
            {
                Interlocked.Increment(ref _mismatches);
            }
        }
        else
        {
            await tenant.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = member });
        }
    }
}
