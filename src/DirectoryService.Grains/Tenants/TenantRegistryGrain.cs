using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tenants;

/// <summary>The durable, ordinally sorted list of tenant ids.</summary>
[GenerateSerializer, Alias("TenantRegistryState")]
public sealed class TenantRegistryState
{
    [Id(0)] public List<string> TenantIds { get; set; } = [];
}

/// <summary>Keeps the tenant ids in order for ListTenants.</summary>
[GrainType(GrainTypes.TenantRegistry)]
public sealed class TenantRegistryGrain(
    [PersistentState(StorageNames.TenantRegistry, StorageNames.Directory)] IPersistentState<TenantRegistryState> state)
    : Grain, ITenantRegistryGrain
{
    public async Task AddAsync(string tenantId)
    {
        var at = state.State.TenantIds.BinarySearch(tenantId, StringComparer.Ordinal);
        if (at < 0)
        {
            state.State.TenantIds.Insert(~at, tenantId);
            await state.WriteOrReloadAsync(this);
        }
    }

    public async Task RemoveAsync(string tenantId)
    {
        var at = state.State.TenantIds.BinarySearch(tenantId, StringComparer.Ordinal);
        if (at >= 0)
        {
            state.State.TenantIds.RemoveAt(at);
            await state.WriteOrReloadAsync(this);
        }
    }

    public Task<Page<string>> ListAsync(string? after, int limit) =>
        Task.FromResult(SortedPage.After(state.State.TenantIds, after, limit, id => id));
}
