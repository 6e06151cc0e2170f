using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Indexing;
using DirectoryService.Grains.Retention;

namespace DirectoryService.Grains.Common;

/// <summary>
/// What users and groups share: lifecycle (create, read, soft delete, restore), etag versioning,
/// the listing-index row they publish after each change, and the "member of" set kept in the state,
/// which the groups holding the source of truth bring up to date before they acknowledge a change.
/// </summary>
public abstract partial class DirectoryObjectGrain<TProfile, TView>(
    IPersistentState<DirectoryObjectState<TProfile>> state,
    IRowStore rows,
    DirectoryClock clock) : Grain, IPrincipalGrain
    where TProfile : class
{
    private (string TenantId, string ObjectId)? _key;

    /// <summary>What <see cref="GetNodeAsync"/> answers: the node as last stored (taken after every successful write or load).</summary>
    private (TProfile? Profile, DateTimeOffset? DeletedAt, bool Flag, ImmutableArray<string> MemberOf, TView? View) _stored;

    /// <summary>The name of the object kind in messages ("user", "group").</summary>
    protected abstract string KindName { get; }

    protected string TenantId => Key.TenantId;

    protected string ObjectId => Key.ObjectId;

    protected DirectoryObjectState<TProfile> State => state.State;

    protected DateTimeOffset Now => clock.UtcNow;

    protected ObjectState Current => SoftDeletion.StateOf(State.Profile is not null && !State.Purging, State.DeletedAt, Now);

    private (string TenantId, string ObjectId) Key => _key ??= GrainKeys.Split(this.GetPrimaryKeyString());

    protected IRowStore Rows => rows;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        TakeStoredNode();
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<PrincipalNode> GetNodeAsync() => Task.FromResult(StoredNode().Node);

    /// <summary>Whether this is a user or a group.</summary>
    protected abstract ObjectKind Kind { get; }

    /// <summary>The node, profile and view as last stored: what reads that interleave with writes answer from.</summary>
    protected (PrincipalNode Node, TProfile? Profile, TView? View) StoredNode()
    {
        var stored = _stored;
        var current = SoftDeletion.StateOf(stored.Profile is not null, stored.DeletedAt, Now);
        return current == ObjectState.Missing
            ? (PrincipalNode.Missing, stored.Profile, default)
            : (new PrincipalNode(current, stored.Flag, stored.MemberOf), stored.Profile, stored.View);
    }

    public Task<TView> GetAsync(bool includeDeleted)
    {
        RequireProfile(includeDeleted);
        return Task.FromResult(View());
    }

    public async Task<TView> DeleteAsync(string? etag)
    {
        if (RetriedCall.IsRetry && Current == ObjectState.Deleted)
        {
            // The first attempt landed.
            return View();
        }

        RequireProfile();
        ETag.Check(etag, State.Version, DomainFields.ETag);

        // On the purge schedule while the notice is appended: both durable before the deletion is stored.
        var deletedAt = Now;
        var scheduled = PurgeSchedule.AddAsync(GrainFactory, Rows, TenantId, new ObjectRef(ObjectId, Kind), deletedAt);
        return await SaveAsync(State.Profile!, deletedAt, notice: Task.WhenAll(NoticeChangeAsync([]), scheduled));
    }

    public async Task<TView> RestoreAsync()
    {
        switch (Current)
        {
            case ObjectState.Missing:
                throw DirectoryException.NotFound(DomainFields.Id, $"deleted {KindName}");
            case ObjectState.Live when RetriedCall.IsRetry:
                // The first attempt landed.
                return View();
            case ObjectState.Live:
                throw DirectoryException.Precondition(DomainFields.Id, $"the {KindName} is not deleted");
        }

        return await SaveAsync(State.Profile!, deletedAt: null);
    }

    /// <summary>The flag a membership answer depends on: account enabled (users), security enabled (groups).</summary>
    protected abstract bool Flag(TProfile profile);

    protected abstract TView View();

    /// <summary>The bucket of the tenant's listing index that holds this object's row.</summary>
    protected abstract RowSet ListingSet { get; }

    /// <summary>This object's row in the listing index, for the given profile and deletion mark.</summary>
    protected abstract byte[] ListingEntry(TProfile profile, DateTimeOffset? deletedAt);

    /// <summary>Whether the object exists (live or restorable); if not, removes a listing row that a failed create left.</summary>
    public async Task<bool> ExistsOrUnlistAsync()
    {
        if (Current != ObjectState.Missing)
        {
            return true;
        }

        await Rows.WriteAsync(ListingSet, [RowWrite.Delete(ObjectId)]);
        return false;
    }

    /// <summary>
    /// Runs after a stored change to what <see cref="GetNodeAsync"/> answers (state, flag, "member of"),
    /// before the change is acknowledged: the place to invalidate anything derived from the node.
    /// </summary>
    protected virtual Task NodeChangedAsync() => Task.CompletedTask;

    /// <summary>
    /// Runs after every change to the stored snapshot (what <see cref="StoredNode"/> answers), before
    /// the change is acknowledged: the place to invalidate copies of the snapshot held elsewhere.
    /// </summary>
    protected virtual Task SnapshotChangedAsync() => Task.CompletedTask;

    protected string CurrentETag => ETag.For(State.Version);

    protected DateTimeOffset? DeletedAt => Current == ObjectState.Deleted ? State.DeletedAt : null;

    /// <summary>
    /// Whether this update is a retry whose first attempt landed: it names the version before the
    /// current one, and applying it again changes nothing. Such a retry answers the current view
    /// instead of failing its (now stale) etag.
    /// </summary>
    protected bool UpdateLandedBefore(string? etag, Func<TProfile, TProfile> apply, Func<TProfile, TProfile, bool> same) =>
        RetriedCall.IsRetry && etag is not null && State.Version > 1 && etag == ETag.For(State.Version - 1) && same(State.Profile!, apply(State.Profile!));

    /// <summary>Returns the profile, or throws NOT_FOUND if the object is missing (or deleted, unless allowed).</summary>
    protected TProfile RequireProfile(bool includeDeleted = false, string field = DomainFields.Id)
    {
        var current = Current;
        if (current == ObjectState.Missing || (current == ObjectState.Deleted && !includeDeleted))
        {
            throw DirectoryException.NotFound(field, KindName);
        }

        return State.Profile!;
    }

    /// <summary>
    /// True if the object must be created; false if this very create already happened (ids are
    /// fresh per request, so the same id with the same profile is a retried request, answered as the
    /// first one was); ALREADY_EXISTS otherwise.
    /// </summary>
    protected bool MustCreate(TProfile profile, Func<TProfile, TProfile, bool> same)
    {
        if (Current == ObjectState.Missing)
        {
            return true;
        }

        return Current == ObjectState.Live && same(State.Profile!, profile) && State.Version == 1
            ? false
            : throw DirectoryException.AlreadyExists(DomainFields.Id, $"the {KindName} already exists");
    }

    /// <summary>
    /// Creates the object in its tenant. The listing row is written while the checks that need the
    /// tenant run and the unique keys are reserved; the tenant's admission of record comes after the
    /// row, so a tenant deletion either refuses this create or, listing the tenant's objects after it
    /// stopped admitting, finds this row and waits for the create (<see cref="ExistsOrUnlistAsync"/>).
    /// <paramref name="admitted"/> runs the checks that need the tenant (its domains, a manager, owners).
    /// </summary>
    protected async Task<TView> CreateCoreAsync(TProfile profile, Func<TenantView, Task>? admitted = null)
    {
        // The notice is written while the create's other steps run (inside this turn, so still before
        // the state): a create that is refused leaves a notice for nothing, read as "gone".
        var notice = NoticeChangeAsync([]);
        var keys = UniqueKeys(profile).ToList();
        Claim(keys);
        var tenants = GrainFactory.Reference<ITenantGrain>(TenantId);
        try
        {
            // Two branches at once, so a create waits for the longer, not for both: the listing row;
            // and the checks that need the tenant (its domains, a manager or owners), then every key's
            // reservation, each at once. A key bound for a create that then fails is taken over by
            // the next taker, since this object does not hold it.
            var publish = PublishAsync(profile, deletedAt: null);
            var reserve = CheckAndReserveAsync();
            try
            {
                await Task.WhenAll(publish, reserve);
            }
            catch (Exception failure)
            {
                await Observed(Task.WhenAll(publish, reserve));
                var refusal = reserve.Exception?.InnerException as DirectoryException;
                if (publish.IsCompletedSuccessfully && refusal is not null)
                {
                    // Refused: nothing of the create stays (a row whose write failed is left to ExistsOrUnlistAsync).
                    await Rows.WriteAsync(ListingSet, [RowWrite.Delete(ObjectId)]);
                }

                // A cancelled branch has no exception of its own: then what the wait threw.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusal ?? publish.Exception?.InnerException ?? reserve.Exception?.InnerException ?? failure);
                throw;
            }

            // The admission of record comes after the listing row: a tenant deletion either refuses
            // this create here or, listing the tenant's objects after it stopped admitting, finds
            // the row and waits for the create.
            try
            {
                await tenants.AdmitAsync();
            }
            catch (DirectoryException)
            {
                await Rows.WriteAsync(ListingSet, [RowWrite.Delete(ObjectId)]);
                throw;
            }
        }
        catch
        {
            await Observed(notice);
            Unclaim(keys);
            throw;
        }

        try
        {
            var created = Now;
            return await SaveAsync(profile, deletedAt: null, published: true, notice, created);
        }
        finally
        {
            Unclaim(keys);
        }

        async Task CheckAndReserveAsync()
        {
            var tenant = await tenants.AdmitAsync();
            if (admitted is not null)
            {
                await admitted(tenant);
            }

            await Task.WhenAll(keys.Select(k => k.Binding.ReserveAsync(ObjectId)));
        }
    }

    /// <summary>
    /// Stores an update. Unique keys it takes (a new principal name or external id) are reserved
    /// first, and those it gives up released once the change is stored, so no moment exists when two
    /// objects hold one key.
    /// </summary>
    protected async Task<TView> SaveUpdateAsync(TProfile current, TProfile updated)
    {
        var before = UniqueKeys(current).ToList();
        var after = UniqueKeys(updated).ToList();
        var taken = after.Where(k => !before.Any(b => b.Kind == k.Kind && b.Value == k.Value)).ToList();
        var given = before.Where(k => !after.Any(a => a.Kind == k.Kind && a.Value == k.Value)).ToList();
        if (taken.Count == 0 && given.Count == 0)
        {
            return await SaveAsync(updated);
        }

        TView view;
        Claim(taken);
        try
        {
            foreach (var key in taken)
            {
                await key.Binding.ReserveAsync(ObjectId);
            }

            view = await SaveAsync(updated);
        }
        finally
        {
            Unclaim(taken);
        }

        foreach (var key in given)
        {
            await key.Binding.ReleaseAsync(ObjectId);
        }

        return view;
    }

    /// <summary>Stores a new version of the profile, then updates the listing row.</summary>
    protected Task<TView> SaveAsync(TProfile profile) => SaveAsync(profile, State.DeletedAt);

    /// <summary>Stores a new version of the profile and deletion mark, then updates the listing row.</summary>
    private async Task<TView> SaveAsync(TProfile profile, DateTimeOffset? deletedAt, bool published = false, Task? notice = null, DateTimeOffset? createdAt = null)
    {
        // The notice first, before the state is touched: if it fails, nothing changed.
        await (notice ?? NoticeChangeAsync([]));
        if (createdAt is { } created)
        {
            State.CreatedAt = created;
        }

        var before = (Current, Flag: State.Profile is { } p && Flag(p));
        var previous = State.Profile;
        State.Profile = profile;
        State.DeletedAt = deletedAt;
        State.Version++;
        State.ModifiedAt = Now;
        await StoreAsync();
        if (before != (Current, Flag(profile)))
        {
            await NodeChangedAsync();
        }

        if (!published)
        {
            await PublishAsync(profile, deletedAt);
        }

        await ProfileStoredAsync(previous, profile);
        return View();
    }

    /// <summary>
    /// Appends the notice of a change to the tenant's change feed, inside this turn and before the
    /// change is stored: a feed reader that sees the notice and then asks this grain for its state
    /// (<c>GetChangeAsync</c>) queues behind the change, so no acknowledged change can be missed.
    /// A change of members names its member edges, in notices of at most
    /// <see cref="ChangeFeeds.MaxMembersPerNotice"/>.
    /// </summary>
    protected Task NoticeChangeAsync(IReadOnlyList<ObjectRef> members) => GrainFactory.NoticeAsync(TenantId, Kind, ObjectId, members);

    /// <summary>Waits for a task whose outcome no longer matters (a notice of a change that failed anyway).</summary>
    protected static Task Observed(Task task) => task.ContinueWith(_ => { }, TaskScheduler.Current);

    /// <summary>The object's view as it is now; null when it does not exist (never did, or purged).</summary>
    protected TView? CurrentView => Current == ObjectState.Missing ? default : View();

    /// <summary>Runs after a stored change of the profile, before it is acknowledged: the place to keep indexes of its values.</summary>
    protected virtual Task ProfileStoredAsync(TProfile? previous, TProfile current) => Task.CompletedTask;

    private Task PublishAsync(TProfile profile, DateTimeOffset? deletedAt) =>
        Rows.WriteAsync(ListingSet, [RowWrite.Upsert(ObjectId, ListingEntry(profile, deletedAt))]);

    /// <summary>Writes the state; only once it is stored does <see cref="GetNodeAsync"/> answer from it.</summary>
    private async Task StoreAsync()
    {
        var reloaded = false;
        try
        {
            await state.WriteOrReloadAsync(this, reloaded: () => reloaded = true);
        }
        catch (Orleans.Storage.InconsistentStateException) when (reloaded)
        {
            // Storage holds another version than this activation knew (restored from older data, or
            // written elsewhere): the state is now what it holds, so are reads, and whatever was
            // derived from the old version on any silo is dropped. The caller is told to retry.
            await TakeSnapshotAsync();
            await NodeChangedAsync();
            throw;
        }

        await TakeSnapshotAsync();
    }

    private async Task TakeSnapshotAsync()
    {
        TakeStoredNode();
        await SnapshotChangedAsync();
    }

    private void TakeStoredNode() =>
        _stored = (State.Purging ? null : State.Profile, State.DeletedAt, State.Profile is { } p && Flag(p), Sorted(State.MemberOf), State.Profile is null ? default : View());

    private static ImmutableArray<string> Sorted(HashSet<string> ids) => [.. ids.Order(StringComparer.Ordinal)];
}
