using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Common;

/// <summary>
/// What users and groups share: lifecycle (create, read, soft delete, restore), etag versioning,
/// the listing-index row they publish after each change, and the "member of" index: one row per
/// group (a user may be in thousands), loaded once per activation and then kept exact in memory,
/// since this grain is the only writer.
/// </summary>
public abstract class DirectoryObjectGrain<TProfile, TView>(
    IPersistentState<DirectoryObjectState<TProfile>> state,
    IRowStore rows,
    DirectoryClock clock) : Grain, IPrincipalGrain
    where TProfile : class
{
    private (string TenantId, string ObjectId)? _key;
    private HashSet<string>? _memberOf;

    /// <summary>The name of the object kind in messages ("user", "group").</summary>
    protected abstract string KindName { get; }

    protected string TenantId => Key.TenantId;

    protected string ObjectId => Key.ObjectId;

    protected DirectoryObjectState<TProfile> State => state.State;

    protected DateTimeOffset Now => clock.UtcNow;

    protected ObjectState Current => Retention.StateOf(State.Profile is not null, State.DeletedAt, Now);

    private (string TenantId, string ObjectId) Key => _key ??= GrainKeys.Split(this.GetPrimaryKeyString());

    protected IRowStore Rows => rows;

    public async Task<PrincipalNode> GetNodeAsync() =>
        Current == ObjectState.Missing
            ? PrincipalNode.Missing
            : new PrincipalNode(Current, Flag(State.Profile!), Sorted(await MemberOfAsync()));

    public async Task AddMemberOfAsync(string groupId)
    {
        var memberOf = await MemberOfAsync();
        if (!memberOf.Contains(groupId))
        {
            await rows.WriteAsync(RowSets.MemberOf(TenantId, ObjectId), [RowWrite.Upsert(groupId, [])]);
            memberOf.Add(groupId);
        }
    }

    public async Task RemoveMemberOfAsync(string groupId)
    {
        var memberOf = await MemberOfAsync();
        if (memberOf.Contains(groupId))
        {
            await rows.WriteAsync(RowSets.MemberOf(TenantId, ObjectId), [RowWrite.Delete(groupId)]);
            memberOf.Remove(groupId);
        }
    }

    public async Task<ImmutableArray<string>> GetMemberOfAsync() => Sorted(await MemberOfAsync());

    public Task<TView> GetAsync(bool includeDeleted)
    {
        RequireProfile(includeDeleted);
        return Task.FromResult(View());
    }

    public async Task<TView> DeleteAsync(string? etag)
    {
        RequireProfile();
        ETag.Check(etag, State.Version, "etag");
        State.DeletedAt = Now;
        return await SaveAsync(State.Profile!);
    }

    public async Task<TView> RestoreAsync()
    {
        switch (Current)
        {
            case ObjectState.Missing:
                throw DirectoryException.NotFound("id", $"deleted {KindName}");
            case ObjectState.Live:
                throw DirectoryException.Precondition("id", $"the {KindName} is not deleted");
        }

        State.DeletedAt = null;
        return await SaveAsync(State.Profile!);
    }

    /// <summary>The flag a membership answer depends on: account enabled (users), security enabled (groups).</summary>
    protected abstract bool Flag(TProfile profile);

    protected abstract TView View();

    /// <summary>Writes this object's row in the tenant's listing index.</summary>
    protected abstract Task PublishAsync();

    protected string CurrentETag => ETag.For(State.Version);

    protected DateTimeOffset? DeletedAt => Current == ObjectState.Deleted ? State.DeletedAt : null;

    /// <summary>Returns the profile, or throws NOT_FOUND if the object is missing (or deleted, unless allowed).</summary>
    protected TProfile RequireProfile(bool includeDeleted = false, string field = "id")
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
            : throw DirectoryException.AlreadyExists("id", $"the {KindName} already exists");
    }

    protected async Task<TView> CreateCoreAsync(TProfile profile)
    {
        State.CreatedAt = Now;
        State.DeletedAt = null;
        return await SaveAsync(profile);
    }

    /// <summary>Stores a new version of the profile, then updates the listing row.</summary>
    protected async Task<TView> SaveAsync(TProfile profile)
    {
        State.Profile = profile;
        State.Version++;
        await state.WriteOrReloadAsync(this);
        await PublishAsync();
        return View();
    }

    private static ImmutableArray<string> Sorted(HashSet<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    private async Task<HashSet<string>> MemberOfAsync()
    {
        if (_memberOf is null)
        {
            var stored = await rows.ReadAllAsync(RowSets.MemberOf(TenantId, ObjectId), "", RowKeys.End);
            _memberOf = [.. stored.Select(r => r.Key)];
        }

        return _memberOf;
    }
}
