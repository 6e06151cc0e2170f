using DirectoryService.Grpc.V1;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>Reads users by principal name, checking each answer names the expected user.</summary>
public sealed class GetUserWorkload(TenantClients tenant, int users, int seed) : IWorkload
{
    private string[] _ids = [];
    private long _mismatches;

    public long Mismatches => Interlocked.Read(ref _mismatches);

    public async Task PrepareAsync()
    {
        await tenant.EnsureTenantAsync();
        _ids = await tenant.CreateUsersAsync("reader", users);
    }

    public async Task ExecuteAsync(int worker, long iteration)
    {
        var i = (int)((uint)HashCode.Combine(seed, worker, iteration) % (uint)_ids.Length);
        var user = await tenant.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = $"reader{i}@{tenant.Domain}" });
        if (user.Id != _ids[i])
        {
            Interlocked.Increment(ref _mismatches);
        }
    }
}
