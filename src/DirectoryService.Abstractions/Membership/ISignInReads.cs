using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// The reads sign-in services make on every sign-in, answered on the silo that received the request:
/// from the silo's exact caches when they are warm (no grain call at all), else through the grains,
/// filling the caches. Every answer reflects every change acknowledged before the call.
/// </summary>
public interface ISignInReads
{
    /// <summary>The user holding the principal name, whether it is enabled, and its groups claim.</summary>
    ValueTask<SignInResolution> ResolveSignInAsync(string tenantId, string userPrincipalName, bool securityEnabledOnly, CancellationToken cancellationToken);

    /// <summary>The live user holding the principal name; NOT_FOUND naming <c>user_principal_name</c> otherwise.</summary>
    ValueTask<UserView> GetUserByPrincipalNameAsync(string tenantId, string userPrincipalName, CancellationToken cancellationToken);

    /// <summary>Every group the principal belongs to, ordered by id; FAILED_PRECONDITION beyond the limit.</summary>
    ValueTask<ImmutableArray<string>> GetMemberGroupsAsync(string tenantId, ObjectRef principal, bool securityEnabledOnly, CancellationToken cancellationToken);

    /// <summary>The subset of <paramref name="groupIds"/> the principal belongs to, in the given order.</summary>
    ValueTask<ImmutableArray<string>> CheckMemberGroupsAsync(string tenantId, ObjectRef principal, ImmutableArray<string> groupIds, CancellationToken cancellationToken);
}
