using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;
using DirectoryService.Grains.Users;
using Orleans.Concurrency;

namespace DirectoryService.Grains.Indexing;

/// <summary>
/// Listings and lookups over a tenant's users and groups. Stateless: it runs on the silo that
/// received the request and reads the index buckets and object grains.
/// </summary>
[GrainType(GrainTypes.DirectoryQuery)]
[StatelessWorker]
public sealed class DirectoryQueryGrain(IRowStore rows, RowCodec codec) : Grain, IDirectoryQueryGrain
{
    private readonly IndexReader _index = new(rows, codec);

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<Page<UserView>> ListUsersAsync(UserFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        // A unique key names at most one user: ask its binding instead of scanning the listing.
        KeyBinder? key = filter.ExternalId is { } externalId ? ExternalIds.Index(GrainFactory, TenantId, ObjectKind.User, externalId)
            : filter.UserPrincipalName is { } upn ? UserPrincipalName.Index(GrainFactory, TenantId, upn)
            : null;
        if (key is not null)
        {
            return await HolderAsync(key, after, id => User(id).GetAsync(filter.Deletion != DeletionFilter.LiveOnly), v => filter.Matches(ListingEntries.Of(v.Id, v.Profile, v.DeletedAt)));
        }

        var rows = await _index.ReadAsync(UserIndex, filter, after, limit, cancellationToken);
        var includeDeleted = filter.Deletion != DeletionFilter.LiveOnly;
        var users = await Lookups.LoadExistingAsync(rows.Items.Select(r => r.Id), id => User(id).GetAsync(includeDeleted));
        return new Page<UserView>(users, rows.Next);
    }

    public async Task<Page<GroupView>> ListGroupsAsync(GroupFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        if (filter.ExternalId is { } externalId)
        {
            var key = ExternalIds.Index(GrainFactory, TenantId, ObjectKind.Group, externalId);
            return await HolderAsync(key, after, id => Group(id).GetAsync(filter.Deletion != DeletionFilter.LiveOnly), v => filter.Matches(ListingEntries.Of(v.Id, v.Profile, v.DeletedAt)));
        }

        var rows = await _index.ReadAsync(GroupIndex, filter, after, limit, cancellationToken);
        var includeDeleted = filter.Deletion != DeletionFilter.LiveOnly;
        var groups = await Lookups.LoadExistingAsync(rows.Items.Select(r => r.Id), id => Group(id).GetAsync(includeDeleted));
        return new Page<GroupView>(groups, rows.Next);
    }

    /// <summary>The one object a unique key is bound to, as a listing page, if it exists and still matches (a binding can outlive a change of key).</summary>
    private static async Task<Page<TView>> HolderAsync<TView>(KeyBinder key, string? after, Func<string, Task<TView>> load, Func<TView, bool> matches)
        where TView : class
    {
        var holder = await key.GetOwnerAsync();
        if (holder is null || (after is not null && string.CompareOrdinal(holder, after) <= 0))
        {
            return new Page<TView>([], null);
        }

        var found = await Lookups.LoadExistingAsync([holder], load);
        return new Page<TView>([.. found.Where(matches)], null);
    }

    public async Task<ImmutableArray<UserView>> BatchGetUsersAsync(ImmutableArray<string> ids, CancellationToken cancellationToken) =>
        [.. await Lookups.LoadExistingAsync(ids.Distinct(), id => User(id).GetAsync(false))];

    public async Task<ImmutableArray<GroupView>> BatchGetGroupsAsync(ImmutableArray<string> ids, CancellationToken cancellationToken) =>
        [.. await Lookups.LoadExistingAsync(ids.Distinct(), id => Group(id).GetAsync(false))];

    public async Task<Page<string>> ListUserIdsAsync(UserFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        var rows = await _index.ReadAsync(UserIndex, filter, after, limit, cancellationToken);
        return new Page<string>([.. rows.Items.Select(r => r.Id)], rows.Next);
    }

    public async Task<Page<string>> ListGroupIdsAsync(GroupFilter filter, string? after, int limit, CancellationToken cancellationToken)
    {
        var rows = await _index.ReadAsync(GroupIndex, filter, after, limit, cancellationToken);
        return new Page<string>([.. rows.Items.Select(r => r.Id)], rows.Next);
    }

    public async Task<ImmutableArray<GroupView>> FindGroupsByDisplayNameAsync(string displayName, CancellationToken cancellationToken)
    {
        var prefix = RowSets.GroupNameKey(displayName);
        var keys = await rows.ReadAllKeysAsync(RowSets.GroupNames(TenantId, displayName), prefix, RowKeys.Before(prefix));
        var groups = await Lookups.LoadExistingAsync(keys.Select(k => k[prefix.Length..]), id => Group(id).GetAsync(false));

        // A row can outlive a rename whose removal of it failed: the group's own name decides.
        return [.. groups.Where(g => string.Equals(g.Profile.DisplayName, displayName, StringComparison.OrdinalIgnoreCase)).OrderBy(g => g.Id, StringComparer.Ordinal)];
    }

    public async Task<bool> HasObjectsAsync(CancellationToken cancellationToken) =>
        await AnyExistsAsync(UserIndex, new UserFilter { Deletion = DeletionFilter.Any }, id => User(id), cancellationToken)
        || await AnyExistsAsync(GroupIndex, new GroupFilter { Deletion = DeletionFilter.Any }, id => Group(id), cancellationToken);

    /// <summary>
    /// Whether a listed object exists, asking each listed object until one does: a row can outlive a
    /// create that failed (or an object past its retention), and asking removes such rows. An object
    /// whose create is in progress answers once the create is done.
    /// </summary>
    private async Task<bool> AnyExistsAsync<TEntry>(Func<string, RowSet> bucket, IIndexFilter<TEntry> filter, Func<string, IPrincipalGrain> grain, CancellationToken cancellationToken)
        where TEntry : IIndexEntry
    {
        string? after = null;
        do
        {
            var page = await _index.ReadAsync(bucket, filter, after, 16, cancellationToken);
            foreach (var row in page.Items)
            {
                if (await grain(row.Id).ExistsOrUnlistAsync())
                {
                    return true;
                }
            }

            after = page.Next;
        }
        while (after is not null);
        return false;
    }

    public async Task<bool> IsDomainInUseAsync(string domain, CancellationToken cancellationToken)
    {
        var users = await _index.ReadAsync(UserIndex, new UserFilter { Deletion = DeletionFilter.Any, UpnDomain = domain }, null, 1);
        return users.Items.Count > 0;
    }

    private RowSet UserIndex(string bucket) => RowSets.UserIndex(TenantId, bucket);

    private RowSet GroupIndex(string bucket) => RowSets.GroupIndex(TenantId, bucket);

    private IUserGrain User(string id) => GrainFactory.User(TenantId, id);

    private IGroupGrain Group(string id) => GrainFactory.Group(TenantId, id);
}
