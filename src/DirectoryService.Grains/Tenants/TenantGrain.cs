using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tenants;

/// <summary>The durable state of a tenant.</summary>
[GenerateSerializer, Alias("TenantState")]
public sealed class TenantState
{
    [Id(0)] public TenantSpec? Spec { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public long Version { get; set; }
}

/// <summary>One tenant: properties and the verified domains its users' principal names must use.</summary>
[GrainType(GrainTypes.Tenant)]
public sealed class TenantGrain(
    [PersistentState(StorageNames.Tenant, StorageNames.Directory)] IPersistentState<TenantState> state,
    DirectoryClock clock) : Grain, ITenantGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    /// <summary>The tenant as last stored (null if it does not exist): what <see cref="AdmitAsync"/> answers from.</summary>
    private TenantView? _stored;

    /// <summary>Set while a deletion runs: from then on no create is admitted.</summary>
    private bool _deleting;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        TakeStored();
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<TenantView> AdmitAsync() =>
        _stored is { } view && !_deleting ? Task.FromResult(view) : throw DirectoryException.NotFound(DomainFields.Tenant, "tenant");

    public async Task<TenantView> CreateAsync(TenantSpec spec)
    {
        if (state.State.Spec is not null)
        {
            throw DirectoryException.AlreadyExists(DomainFields.Id, "a tenant with this id already exists");
        }

        state.State.Spec = TenantRules.Normalize(spec);
        state.State.CreatedAt = clock.UtcNow;
        state.State.Version = 1;
        await WriteAsync();
        await GrainFactory.GetGrain<ITenantRegistryGrain>(0).AddAsync(TenantId);
        await Retention.StartAsync();
        return View();
    }

    public Task<TenantView> GetAsync()
    {
        Require(DomainFields.Tenant);
        return Task.FromResult(View());
    }

    public async Task<TenantView> UpdateAsync(TenantSpec changes, ImmutableArray<string> mask, string? etag)
    {
        var current = Require(DomainFields.Id);
        ETag.Check(etag, state.State.Version, DomainFields.ETag);
        var updated = TenantRules.Normalize(TenantRules.Apply(current, changes, mask));
        foreach (var removed in current.VerifiedDomains.Except(updated.VerifiedDomains))
        {
            if (await Query.IsDomainInUseAsync(removed))
            {
                throw DirectoryException.Precondition(DomainFields.VerifiedDomains, $"domain '{removed}' is still used by users' principal names");
            }
        }

        state.State.Spec = updated;
        state.State.Version++;
        await WriteAsync();
        return View();
    }

    public async Task DeleteAsync(string? etag)
    {
        if (RetriedCall.IsRetry && state.State.Spec is null)
        {
            // The first attempt landed.
            return;
        }

        Require(DomainFields.Id);
        ETag.Check(etag, state.State.Version, DomainFields.ETag);

        // Stop admitting creates first: any create admitted before has published its listing row, so
        // the listing below sees it (and waits for it to finish); any later one is refused.
        _deleting = true;
        try
        {
            if (await Query.HasObjectsAsync())
            {
                throw DirectoryException.Precondition(DomainFields.Id, "the tenant still holds users or groups (soft-deleted ones included)");
            }

            // What objects past their retention left is purged now, the change feed cleared, the reminder gone.
            await Retention.CloseAsync();
            await state.ClearStateAsync();
            TakeStored();
        }
        finally
        {
            _deleting = false;
        }

        await GrainFactory.GetGrain<ITenantRegistryGrain>(0).RemoveAsync(TenantId);
    }

    /// <summary>Writes the state and takes what storage then holds as the admitted snapshot (none if unknown).</summary>
    private async Task WriteAsync()
    {
        var known = true;
        try
        {
            await state.WriteOrReloadAsync(this, stateUnknown: () => known = false);
        }
        finally
        {
            if (known)
            {
                TakeStored();
            }
            else
            {
                _stored = null;
            }
        }
    }

    private void TakeStored() => _stored = state.State.Spec is null ? null : View();

    private IRetentionGrain Retention => GrainFactory.GetGrain<IRetentionGrain>(TenantId);

    private IDirectoryQueryGrain Query => GrainFactory.GetGrain<IDirectoryQueryGrain>(TenantId);

    private TenantSpec Require(string field) =>
        state.State.Spec ?? throw DirectoryException.NotFound(field, "tenant");

    private TenantView View() => new(TenantId, state.State.Spec!, state.State.CreatedAt, ETag.For(state.State.Version));
}
