using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>
/// Durable creates whose acknowledgements are kept: each created user's id and principal name is
/// appended to <c>{ids}.acked</c> as soon as the service acknowledges it, so a crash of storage
/// during the run can be checked against what was acknowledged (<see cref="AcknowledgedUsers"/>).
/// </summary>
public sealed class AcknowledgedCreatesWorkload(TenantClients tenant, string idsPath) : IWorkload
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private StreamWriter? _acked;

    public long Mismatches => 0;

    public async Task PrepareAsync()
    {
        await tenant.EnsureTenantAsync();
        _acked = new StreamWriter(AcknowledgedUsers.PathOf(idsPath), append: true) { AutoFlush = true };
    }

    public async Task ExecuteAsync(int worker, long iteration)
    {
        var upn = $"d{_run}-{worker}-{iteration}@{tenant.Domain}";
        var user = await tenant.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = upn, DisplayName = "Durable" } });
        lock (_acked!)
        {
            _acked.WriteLine($"{user.Id} {upn}");
        }
    }
}

/// <summary>Reads back every acknowledged create of <see cref="AcknowledgedCreatesWorkload"/>: by id and by principal name.</summary>
public static class AcknowledgedUsers
{
    public static string PathOf(string idsPath) => idsPath + ".acked";

    public static async Task<object> VerifyAsync(TenantClients tenant, string idsPath)
    {
        var lines = await File.ReadAllLinesAsync(PathOf(idsPath));
        long byId = 0, byName = 0, lost = 0, idWithoutName = 0;
        foreach (var chunk in lines.Select(l => l.Split(' ')).Chunk(32))
        {
            var found = await Task.WhenAll(chunk.Select(async parts =>
            {
                var id = await FoundAsync(() => tenant.Users.GetUserAsync(new GetUserRequest { Id = parts[0] }).ResponseAsync);
                var name = await FoundAsync(() => tenant.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = parts[1] }).ResponseAsync);
                return (id, name);
            }));
            byId += found.Count(f => f.id);
            byName += found.Count(f => f.name);
            lost += found.Count(f => !f.id && !f.name);
            idWithoutName += found.Count(f => f.id && !f.name);
        }

        return new { workload = "verify-acked", acknowledged = lines.Length, found_by_id = byId, found_by_name = byName, lost, found_by_id_not_by_name = idWithoutName };
    }

    private static async Task<bool> FoundAsync(Func<Task<User>> get)
    {
        try
        {
            await get();
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }
}
