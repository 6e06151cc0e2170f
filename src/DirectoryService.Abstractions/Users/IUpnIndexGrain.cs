using DirectoryService.Abstractions.Common;
namespace DirectoryService.Abstractions.Users;

/// <summary>
/// Owns one user principal name of one tenant, keyed by <c>{tenant}/{lower-case upn}</c>. All
/// creates and renames to a name pass through its grain, one at a time, so at most one user holds it.
/// </summary>
[Alias("directory.IUpnIndexGrain")]
public interface IUpnIndexGrain : IGrainWithStringKey
{
    /// <summary>Binds the name to the user, or throws ALREADY_EXISTS if another live or restorable user holds it.</summary>
    [Alias("ReserveAsync")]
    [Idempotent]
    Task ReserveAsync(string userId);

    /// <summary>Unbinds the name if the given user holds it.</summary>
    [Alias("ReleaseAsync")]
    [Idempotent]
    Task ReleaseAsync(string userId);

    /// <summary>Returns the id of the user holding the name, if any.</summary>
    [Alias("GetOwnerAsync")]
    [Idempotent]
    Task<string?> GetOwnerAsync();
}
