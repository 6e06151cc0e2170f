using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// Answers the listing questions of one tenant's membership (keyed by tenant id) by walking the
/// graph. The sign-in questions are <see cref="ISignInReads"/>, answered from the silo's caches.
/// </summary>
[Alias("directory.IMembershipQueryGrain")]
public interface IMembershipQueryGrain : IGrainWithStringKey
{
    /// <summary>Direct live members of a group, ordered by id.</summary>
    [Alias("ListMembersAsync")]
    [Idempotent]
    Task<Page<ObjectRef>> ListMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every live user and group reachable below a group, each once, ordered by id.</summary>
    [Alias("ListTransitiveMembersAsync")]
    [Idempotent]
    Task<Page<ObjectRef>> ListTransitiveMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Live groups the principal is a direct member of, ordered by id.</summary>
    [Alias("ListMemberOfAsync")]
    [Idempotent]
    Task<Page<string>> ListMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every live group the principal belongs to through nesting, ordered by id.</summary>
    [Alias("ListTransitiveMemberOfAsync")]
    [Idempotent]
    Task<Page<string>> ListTransitiveMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken = default);
}
