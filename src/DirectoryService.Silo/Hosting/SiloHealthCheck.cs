using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace DirectoryService.Silo.Hosting;

/// <summary>Ready while this silo is an active member of the cluster, so a load balancer only routes to silos that can serve.</summary>
public sealed class SiloHealthCheck(ILocalSiloDetails silo, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}
