using DirectoryService.Grpc.V1;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>Durable creates: each call reserves a principal name and writes the user and its listing row.</summary>
public sealed class CreateUserWorkload(TenantClients tenant) : IWorkload
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    public long Mismatches => 0;

    public Task PrepareAsync() => tenant.EnsureTenantAsync();

    public async Task ExecuteAsync(int worker, long iteration) =>
        await tenant.Users.CreateUserAsync(new CreateUserRequest
        {
            User = new User { UserPrincipalName = $"c{_run}-{worker}-{iteration}@{tenant.Domain}", DisplayName = "Created" },
        });
}
