using Orleans.Services;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// The membership read caches of one silo, addressed per silo. A change that cached answers depend
/// on tells the silos that may hold them to drop them before the change is acknowledged.
/// </summary>
[Alias("directory.IMembershipCacheService")]
public interface IMembershipCacheService : IGrainService
{
    /// <summary>Drops the tenant's cached group closures (a group's node changed).</summary>
    [Alias("InvalidateTenantAsync")]
    Task InvalidateTenantAsync(string tenantId);

    /// <summary>Drops what the silo cached of one user (its profile, state, flag or direct groups changed).</summary>
    [Alias("InvalidateUserAsync")]
    Task InvalidateUserAsync(string tenantId, string userId);
}
