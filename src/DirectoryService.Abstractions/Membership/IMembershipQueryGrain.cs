using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Membership;

/// <summary>Answers membership questions of one tenant (keyed by tenant id) by walking the membership graph.</summary>
public interface IMembershipQueryGrain : IGrainWithStringKey
{
    /// <summary>Direct live members of a group, ordered by id.</summary>
    [Idempotent]
    Task<Page<ObjectRef>> ListMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every live user and group reachable below a group, each once, ordered by id.</summary>
    [Idempotent]
    Task<Page<ObjectRef>> ListTransitiveMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Live groups the principal is a direct member of, ordered by id.</summary>
    [Idempotent]
    Task<Page<string>> ListMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every live group the principal belongs to through nesting, ordered by id.</summary>
    [Idempotent]
    Task<Page<string>> ListTransitiveMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>The subset of <paramref name="groupIds"/> the principal belongs to, in the given order.</summary>
    [Idempotent]
    Task<ImmutableArray<string>> CheckMemberGroupsAsync(ObjectRef principal, ImmutableArray<string> groupIds, CancellationToken cancellationToken = default);

    /// <summary>Every group the principal belongs to, ordered by id; FAILED_PRECONDITION beyond the limit.</summary>
    [Idempotent]
    Task<ImmutableArray<string>> GetMemberGroupsAsync(ObjectRef principal, bool securityEnabledOnly, CancellationToken cancellationToken = default);

    /// <summary>Resolves a sign-in by user principal name.</summary>
    [Idempotent]
    Task<SignInResolution> ResolveSignInAsync(string userPrincipalName, bool securityEnabledOnly, CancellationToken cancellationToken = default);
}
