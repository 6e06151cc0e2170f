using System.Security.Claims;
using System.Threading.RateLimiting;
using DirectoryService.Security;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// One token bucket per tenant on this silo, shared by every door (gRPC, SCIM), so one tenant
/// flooding the service cannot starve the others whichever door it uses. Callers with no tenant
/// (operators) share one bucket; unauthenticated calls are not counted (they are refused anyway).
/// </summary>
public sealed class TenantRateLimiter : IDisposable
{
    private const string Operators = "(operators)";
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _retryAfter;

    public TenantRateLimiter(IOptions<RateLimitOptions> options)
    {
        var o = options.Value;
        _retryAfter = TimeSpan.FromSeconds(Math.Max(1.0 / Math.Max(o.PermitsPerSecond, 1), 0.05));
        _limiter = PartitionedRateLimiter.Create<string, string>(tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(o.Burst, 1),
            TokensPerPeriod = Math.Max(o.PermitsPerSecond / 10, 1),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Takes a permit for the caller's tenant; false (with the delay to wait) when the tenant is over its rate.</summary>
    public bool TryAcquire(ClaimsPrincipal user, out string tenant, out TimeSpan retryAfter)
    {
        tenant = user.FindFirst(DirectoryClaims.Tenant)?.Value ?? Operators;
        retryAfter = TimeSpan.Zero;
        if (user.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(tenant);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _retryAfter;
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
