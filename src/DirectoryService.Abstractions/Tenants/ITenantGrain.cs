using DirectoryService.Abstractions.Common;
using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Tenants;

/// <summary>One tenant: its properties and verified domains. Keyed by tenant id.</summary>
[Alias("directory.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant; ALREADY_EXISTS if it exists.</summary>
    [Alias("CreateAsync")]
    Task<TenantView> CreateAsync(TenantSpec spec);

    /// <summary>Returns the tenant; NOT_FOUND if it does not exist.</summary>
    [Alias("GetAsync")]
    [Idempotent]
    Task<TenantView> GetAsync();

    /// <summary>Applies the masked fields of <paramref name="changes"/> under an optional etag precondition.</summary>
    [Alias("UpdateAsync")]
    Task<TenantView> UpdateAsync(TenantSpec changes, ImmutableArray<string> mask, string? etag);

    /// <summary>Deletes the tenant if it holds no users or groups.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync(string? etag);
}
