using System.Collections.Concurrent;
using DirectoryService.Grpc.V1;
using DirectoryService.LoadGenerator.Dataset;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>
/// What the workloads over the loaded dataset share: the dataset (for ground truth), the ids the
/// loader recorded, a deterministic choice of user per call, and the mismatch count. Answers are
/// checked against the ground truth on every <see cref="CheckEvery"/>-th call (checking costs the
/// load generator CPU, which it shares with the server).
/// </summary>
public abstract class DatasetWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath) : IWorkload
{
    protected const int CheckEvery = 4;
    private readonly ConcurrentDictionary<int, HashSet<string>> _truth = new();
    private long _mismatches;

    protected TenantClients Tenant => tenant;

    protected Dataset.Dataset Data => dataset;

    protected DatasetIds Ids { get; private set; } = new([], []);

    public long Mismatches => Interlocked.Read(ref _mismatches);

    public virtual async Task PrepareAsync() => Ids = (await DatasetIds.LoadAsync(idsPath)).Require(dataset);

    public abstract Task ExecuteAsync(int worker, long iteration);

    /// <summary>A user chosen by a stable hash of (seed, worker, iteration): the same run picks the same users.</summary>
    protected int UserFor(int worker, long iteration) => (int)(Mix(dataset.Seed, worker, iteration) % (ulong)dataset.UserCount);

    protected string Upn(int user) => $"{Dataset.Dataset.UserName(user)}@{Tenant.Domain}";

    /// <summary>Ground truth: the ids of every group the user belongs to.</summary>
    protected HashSet<string> TruthOf(int user) =>
        _truth.GetOrAdd(user, u => [.. dataset.GroupsOf(u).Select(g => Ids.Groups[g])]);

    protected void Expect(bool agrees)
    {
        if (!agrees)
        {
            Interlocked.Increment(ref _mismatches);
        }
    }

    protected static ulong Mix(int seed, int worker, long iteration)
    {
        // SplitMix64 over the three inputs: deterministic across processes, unlike HashCode.
        var z = unchecked(((ulong)(uint)seed << 48) ^ ((ulong)(uint)worker << 32) ^ (ulong)iteration) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Get user by principal name; every answer must name the loaded user.</summary>
public sealed class GetUserByUpnWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        var answer = await Tenant.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = Upn(user) });
        Expect(answer.Id == Ids.Users[user]);
    }
}

/// <summary>
/// Sign-in resolution by principal name. With <c>cold</c>, every call takes a user not resolved
/// before in this run (walking a fixed permutation), to measure first resolutions after a restart.
/// </summary>
public sealed class SignInWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, bool cold) : DatasetWorkload(tenant, dataset, idsPath)
{
    private long _next;

    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = cold ? (int)(Interlocked.Increment(ref _next) * 7919 % Data.UserCount) : UserFor(worker, iteration);
        var answer = await Tenant.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = Upn(user) });
        if (iteration % CheckEvery == 0)
        {
            var truth = TruthOf(user);
            Expect(answer.UserId == Ids.Users[user] && answer.AccountEnabled && (truth.Count > 200
                ? answer.GroupsOverage && answer.GroupIds.Count == 0
                : !answer.GroupsOverage && truth.SetEquals(answer.GroupIds)));
        }
    }
}

/// <summary>GetMemberGroups by user id; sampled answers must equal the ground truth.</summary>
public sealed class MemberGroupsWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        var answer = await Tenant.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest
        {
            Principal = new DirectoryObjectRef { Id = Ids.Users[user], Type = ObjectType.User },
        });
        if (iteration % CheckEvery == 0)
        {
            Expect(TruthOf(user).SetEquals(answer.GroupIds));
        }
    }
}

/// <summary>CheckMemberGroups with 5 ids: 3 of the user's groups and 2 drawn from all groups (mostly misses); every answer is checked.</summary>
public sealed class CheckGroupsWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        var truth = TruthOf(user);
        var mix = Mix(Data.Seed + 1, worker, iteration);
        var mine = truth.ElementAt((int)(mix % (ulong)truth.Count));
        var asked = new[]
        {
            mine,
            truth.ElementAt((int)((mix >> 16) % (ulong)truth.Count)),
            truth.ElementAt((int)((mix >> 32) % (ulong)truth.Count)),
            Ids.Groups[(int)((mix >> 8) % (ulong)Data.GroupCount)],
            Ids.Groups[(int)((mix >> 24) % (ulong)Data.GroupCount)],
        };
        var answer = await Tenant.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest
        {
            Principal = new DirectoryObjectRef { Id = Ids.Users[user], Type = ObjectType.User },
            GroupIds = { asked },
        });
        Expect(asked.Where(truth.Contains).Distinct().SequenceEqual(answer.GroupIds));
    }
}

/// <summary>
/// Durable membership changes on the loaded dataset: each worker adds one of its own scratch users
/// (not part of the dataset, so the ground truth of the read workloads never changes) to a leaf
/// group and then removes it again. Every add must add and every remove must succeed.
/// </summary>
public class AddRemoveWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, int concurrency) : DatasetWorkload(tenant, dataset, idsPath)
{
    private const int UsersPerWorker = 16;
    private string[] _scratch = [];

    public override async Task PrepareAsync()
    {
        await base.PrepareAsync();
        // Fresh users per run: a run that stops between an add and its remove leaves that pair behind.
        _scratch = await Tenant.CreateUsersAsync($"scratch-{Guid.NewGuid().ToString("N")[..8]}-", concurrency * UsersPerWorker);
    }

    /// <summary>Iterations 2k and 2k+1 add and then remove the same (user, group) pair: the user's id, the group's id, and whether to add.</summary>
    protected (string Member, string Group, bool Add) Pair(int worker, long iteration)
    {
        var pair = iteration / 2;
        return (_scratch[worker * UsersPerWorker + (int)(pair % UsersPerWorker)], Ids.Groups[(int)(Mix(Data.Seed, worker, pair) % (ulong)Data.LevelStart[1])], iteration % 2 == 0);
    }

    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var (id, group, add) = Pair(worker, iteration);
        var member = new DirectoryObjectRef { Id = id, Type = ObjectType.User };
        if (add)
        {
            var added = await Tenant.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { member } });
            Expect(added.AddedCount == 1);
        }
        else
        {
            await Tenant.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = member });
        }
    }
}
