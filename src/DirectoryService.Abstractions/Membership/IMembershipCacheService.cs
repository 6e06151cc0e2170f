using Orleans.Services;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// The membership read caches of one silo, addressed per silo. A change that cached answers depend
/// on tells the silos that may hold them to drop them before the change is acknowledged.
/// </summary>
public interface IMembershipCacheService : IGrainService
{
    /// <summary>Drops the tenant's cached group closures (a group's node changed).</summary>
    Task InvalidateTenantAsync(string tenantId);

    /// <summary>Drops what the silo cached of one user (its profile, state, flag or direct groups changed).</summary>
    Task InvalidateUserAsync(string tenantId, string userId);
}
