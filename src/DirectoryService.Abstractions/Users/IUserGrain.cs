using DirectoryService.Abstractions.Common;
using System.Collections.Immutable;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Abstractions.Users;

/// <summary>One user. Keyed by <c>{tenant}/{userId}</c>.</summary>
public interface IUserGrain : IPrincipalGrain
{
    /// <summary>Creates the user, reserving its user principal name in the tenant.</summary>
    [Idempotent]
    Task<UserView> CreateAsync(UserProfile profile);

    /// <summary>Returns the user; NOT_FOUND if missing, or soft-deleted unless <paramref name="includeDeleted"/>.</summary>
    [Idempotent]
    Task<UserView> GetAsync(bool includeDeleted);

    /// <summary>Applies the masked fields of <paramref name="changes"/> under an optional etag precondition.</summary>
    Task<UserView> UpdateAsync(UserProfile changes, ImmutableArray<string> mask, string? etag);

    /// <summary>Soft-deletes the user.</summary>
    Task<UserView> DeleteAsync(string? etag);

    /// <summary>Restores a soft-deleted user within the retention period.</summary>
    Task<UserView> RestoreAsync();
}
