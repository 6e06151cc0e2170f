using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Tenants;

/// <summary>The ordered set of tenant ids, for listing tenants. A single grain (key 0): tenants are few.</summary>
[Alias("directory.ITenantRegistryGrain")]
public interface ITenantRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a tenant id.</summary>
    [Alias("AddAsync")]
    [Idempotent]
    Task AddAsync(string tenantId);

    /// <summary>Forgets a tenant id.</summary>
    [Alias("RemoveAsync")]
    [Idempotent]
    Task RemoveAsync(string tenantId);

    /// <summary>Returns up to <paramref name="limit"/> ids after <paramref name="after"/>, in order.</summary>
    [Alias("ListAsync")]
    [Idempotent]
    Task<Page<string>> ListAsync(string? after, int limit);
}
