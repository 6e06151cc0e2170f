using DirectoryService.Grains.Membership;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// Ready while this silo is an active member, not stopping, able to vouch for its answers (not
/// resuming from a freeze before it confirmed its membership), of the cluster and has warmed its group closures (or
/// given up waiting on them), so a load balancer only routes to silos that can serve, and a restarted
/// silo takes sign-ins only once a first sign-in no longer walks up through cold groups.
/// </summary>
public sealed class SiloHealthCheck(ILocalSiloDetails silo, IClusterMembershipService membership, ClosureWarmer warmer, SiloDrain drain, SiloVouch vouch) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(
            drain.IsDraining ? HealthCheckResult.Unhealthy("stopping: draining before it leaves the cluster")
            : !vouch.IsTrusted ? HealthCheckResult.Unhealthy(vouch.Problem)
            : status != SiloStatus.Active ? HealthCheckResult.Unhealthy($"silo is {status}")
            : !warmer.Completion.IsCompleted ? HealthCheckResult.Unhealthy($"warming group closures ({warmer.Groups} so far)")
            : HealthCheckResult.Healthy());
    }
}
