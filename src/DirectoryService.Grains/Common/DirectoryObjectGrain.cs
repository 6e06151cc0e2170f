using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Common;

/// <summary>
/// What users and groups share: lifecycle (create, read, soft delete, restore), etag versioning,
/// the listing-index row they publish after each change, and the "member of" index.
/// </summary>
public abstract class DirectoryObjectGrain<TProfile, TView>(
    IPersistentState<DirectoryObjectState<TProfile>> state,
    DirectoryClock clock) : Grain, IPrincipalGrain
    where TProfile : class
{
    private (string TenantId, string ObjectId)? _key;

    /// <summary>The name of the object kind in messages ("user", "group").</summary>
    protected abstract string KindName { get; }

    protected string TenantId => Key.TenantId;

    protected string ObjectId => Key.ObjectId;

    protected DirectoryObjectState<TProfile> State => state.State;

    protected DateTimeOffset Now => clock.UtcNow;

    protected ObjectState Current => Retention.StateOf(State.Profile is not null, State.DeletedAt, Now);

    private (string TenantId, string ObjectId) Key => _key ??= GrainKeys.Split(this.GetPrimaryKeyString());

    public Task<PrincipalNode> GetNodeAsync() => Task.FromResult(
        Current == ObjectState.Missing
            ? PrincipalNode.Missing
            : new PrincipalNode(Current, Flag(State.Profile!), SortedMemberOf()));

    public async Task AddMemberOfAsync(string groupId)
    {
        if (State.MemberOf.Add(groupId))
        {
            await state.WriteOrReloadAsync(this);
        }
    }

    public async Task RemoveMemberOfAsync(string groupId)
    {
        if (State.MemberOf.Remove(groupId))
        {
            await state.WriteOrReloadAsync(this);
        }
    }

    public Task<ImmutableArray<string>> GetMemberOfAsync() => Task.FromResult(SortedMemberOf());

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

    protected void EnsureCreatable()
    {
        if (Current != ObjectState.Missing)
        {
            throw DirectoryException.AlreadyExists("id", $"the {KindName} already exists");
        }
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

    private ImmutableArray<string> SortedMemberOf() => [.. State.MemberOf.Order(StringComparer.Ordinal)];
}
