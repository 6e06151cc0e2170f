using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Abstractions.Indexing;

/// <summary>Reads that span many users or groups of one tenant (keyed by tenant id): listings, batch gets, lookup by name.</summary>
[Alias("directory.IDirectoryQueryGrain")]
public interface IDirectoryQueryGrain : IGrainWithStringKey
{
    /// <summary>Users matching the filter, ordered by id, continuing after id <paramref name="after"/>.</summary>
    [Alias("ListUsersAsync")]
    [Idempotent]
    Task<Page<UserView>> ListUsersAsync(UserFilter filter, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Groups matching the filter, ordered by id, continuing after id <paramref name="after"/>.</summary>
    [Alias("ListGroupsAsync")]
    [Idempotent]
    Task<Page<GroupView>> ListGroupsAsync(GroupFilter filter, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The live users among the ids, in the given order.</summary>
    [Alias("BatchGetUsersAsync")]
    [Idempotent]
    Task<ImmutableArray<UserView>> BatchGetUsersAsync(ImmutableArray<string> ids, CancellationToken cancellationToken = default);

    /// <summary>The live groups among the ids, in the given order.</summary>
    [Alias("BatchGetGroupsAsync")]
    [Idempotent]
    Task<ImmutableArray<GroupView>> BatchGetGroupsAsync(ImmutableArray<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Ids of the users whose listing rows match the filter, ordered by id, after <paramref name="after"/>: no user is loaded.</summary>
    [Alias("ListUserIdsAsync")]
    [Idempotent]
    Task<Page<string>> ListUserIdsAsync(UserFilter filter, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Ids of the groups whose listing rows match the filter, ordered by id, after <paramref name="after"/>: no group is loaded.</summary>
    [Alias("ListGroupIdsAsync")]
    [Idempotent]
    Task<Page<string>> ListGroupIdsAsync(GroupFilter filter, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The live groups named exactly <paramref name="displayName"/> (ignoring case), from the display-name index: cost independent of the tenant's size.</summary>
    [Alias("FindGroupsByDisplayNameAsync")]
    [Idempotent]
    Task<ImmutableArray<GroupView>> FindGroupsByDisplayNameAsync(string displayName, CancellationToken cancellationToken = default);

    /// <summary>Whether the tenant holds any user or group, live or soft-deleted.</summary>
    [Alias("HasObjectsAsync")]
    [Idempotent]
    Task<bool> HasObjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether any user, live or soft-deleted, has a principal name in the domain.</summary>
    [Alias("IsDomainInUseAsync")]
    [Idempotent]
    Task<bool> IsDomainInUseAsync(string domain, CancellationToken cancellationToken = default);
}
