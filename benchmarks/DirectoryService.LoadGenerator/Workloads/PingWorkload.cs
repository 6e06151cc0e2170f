using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>The empty handler: the ceiling of the gRPC path on this server.</summary>
public sealed class PingWorkload(TenantClients tenant) : IWorkload
{
    private static readonly Empty Request = new();
    private readonly Diagnostics.DiagnosticsClient _client = tenant.Diagnostics;

    public long Mismatches => 0;

    public Task PrepareAsync() => Task.CompletedTask;

    public async Task ExecuteAsync(int worker, long iteration) => await _client.PingAsync(Request);
}
