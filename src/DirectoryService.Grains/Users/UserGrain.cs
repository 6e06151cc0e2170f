using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Indexing;
using DirectoryService.Grains.Membership;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Users;

/// <summary>
/// One user: its profile, lifecycle and the groups it is a direct member of. Silos may cache its
/// stored snapshot (<see cref="UserCache"/>); the grain remembers which did and has them drop it
/// after every stored change, before acknowledging the change.
/// </summary>
[GrainType(GrainTypes.User)]
public sealed class UserGrain(
    [PersistentState(StorageNames.User, StorageNames.Directory)] IPersistentState<DirectoryObjectState<UserProfile>> state,
    IRowStore rows,
    RowCodec codec,
    DirectoryClock clock,
    ICacheInvalidator caches)
    : DirectoryObjectGrain<UserProfile, UserView>(state, rows, clock), IUserGrain
{
    /// <summary>Silos that read the snapshot for their caches since the last change.</summary>
    private HashSet<SiloAddress> _readers = [];

    /// <summary>
    /// Whether silos may still cache a snapshot read from an earlier activation of this user: true
    /// when it was live at activation, until the first change has told every silo.
    /// </summary>
    private bool _earlierReaders;

    protected override string KindName => "user";

    protected override ObjectKind Kind => ObjectKind.User;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var activation = base.OnActivateAsync(cancellationToken);
        _earlierReaders = StoredNode().Node.IsLive;
        return activation;
    }

    public Task<SignInSubject> GetSignInSubjectAsync(SiloAddress? reader)
    {
        if (reader is not null)
        {
            _readers.Add(reader);
        }

        var (node, profile, view) = StoredNode();
        return Task.FromResult(new SignInSubject(profile?.UserPrincipalName ?? "", node, view));
    }

    public Task<Abstractions.Changes.UserChange> GetChangeAsync() => Task.FromResult(new Abstractions.Changes.UserChange(ObjectId, CurrentView));

    public Task<bool> HoldsPrincipalNameAsync(string nameKey) => Task.FromResult(Holds(OwnedKey.PrincipalNameKind, nameKey));

    protected override IEnumerable<OwnedKey> UniqueKeys(UserProfile profile) =>
        [new OwnedKey(OwnedKey.PrincipalNameKind, UserPrincipalName.Key(profile.UserPrincipalName), UserPrincipalName.Index(GrainFactory, TenantId, profile.UserPrincipalName)),
         .. base.UniqueKeys(profile)];

    protected override string ExternalIdOf(UserProfile profile) => profile.ExternalId;

    public async Task<UserView> CreateAsync(UserProfile profile)
    {
        if (!MustCreate(profile, UserProfileRules.Same))
        {
            return View();
        }

        UserProfileRules.Validate(profile, verifiedDomains: null);
        return await CreateCoreAsync(profile, async tenant =>
        {
            UserProfileRules.Validate(profile, tenant.Spec.VerifiedDomains);
            await RequireManagerAsync(profile.ManagerId);
        });
    }

    public async Task<UserView> UpdateAsync(UserProfile changes, ImmutableArray<string> mask, string? etag)
    {
        var current = RequireProfile();
        if (UpdateLandedBefore(etag, p => UserProfileRules.Apply(p, changes, mask), UserProfileRules.Same))
        {
            return View();
        }

        ETag.Check(etag, State.Version, DomainFields.ETag);
        var updated = UserProfileRules.Apply(current, changes, mask);
        var renamed = UserPrincipalName.Key(current.UserPrincipalName) != UserPrincipalName.Key(updated.UserPrincipalName);
        var domains = renamed ? (await GrainFactory.Reference<ITenantGrain>(TenantId).AdmitAsync()).Spec.VerifiedDomains : default;
        UserProfileRules.Validate(updated, renamed ? domains : null);

        if (updated.ManagerId != current.ManagerId)
        {
            await RequireManagerAsync(updated.ManagerId);
        }

        return await SaveUpdateAsync(current, updated);
    }

    protected override bool Flag(UserProfile profile) => profile.AccountEnabled;

    /// <summary>A manager, when set, is another live user of the tenant.</summary>
    private async Task RequireManagerAsync(string managerId)
    {
        if (managerId.Length == 0)
        {
            return;
        }

        if (Identifiers.ObjectId(managerId, DomainFields.Manager) == ObjectId)
        {
            throw DirectoryException.Invalid(DomainFields.Manager, "a user cannot be its own manager");
        }

        if (!(await GrainFactory.User(TenantId, managerId).GetNodeAsync()).IsLive)
        {
            throw DirectoryException.NotFound(DomainFields.Manager, "user");
        }
    }

    protected override async Task SnapshotChangedAsync()
    {
        // Readers that come during the invalidation read the new snapshot: they go in the next set.
        var readers = _readers;
        _readers = [];
        await caches.InvalidateUserAsync(TenantId, ObjectId, _earlierReaders ? null : readers);
        _earlierReaders = false;
    }

    protected override UserView View() => new(ObjectId, State.Profile!, State.CreatedAt, CurrentETag, DeletedAt, State.ModifiedAt ?? State.CreatedAt);

    protected override RowSet ListingSet => RowSets.UserIndex(TenantId, RowSets.Bucket(ObjectId));

    protected override byte[] ListingEntry(UserProfile p, DateTimeOffset? deletedAt) =>
        codec.Encode(ListingEntries.Of(ObjectId, p, deletedAt));
}
