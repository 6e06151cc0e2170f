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

    /// <summary>
    /// Admits the creation of an object in the tenant: returns the tenant as last stored, or NOT_FOUND
    /// if it does not exist or is being deleted. Interleaves with the tenant's other calls, so a
    /// deletion (which lists the tenant's objects after it stops admitting) never waits on a create
    /// that waits on it. A create publishes its listing row before it asks, so a deletion that starts
    /// after the admission sees the object.
    /// </summary>
    [Alias("AdmitAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<TenantView> AdmitAsync();

    /// <summary>Applies the masked fields of <paramref name="changes"/> under an optional etag precondition.</summary>
    [Alias("UpdateAsync")]
    Task<TenantView> UpdateAsync(TenantSpec changes, ImmutableArray<string> mask, string? etag);

    /// <summary>Deletes the tenant if it holds no users or groups.</summary>
    [Alias("DeleteAsync")]
    [Idempotent]
    Task DeleteAsync(string? etag);
}
