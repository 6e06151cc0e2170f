using DirectoryService.Abstractions.Common;
using System.Collections.Immutable;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Abstractions.Users;

/// <summary>One user. Keyed by <c>{tenant}/{userId}</c>.</summary>
[Alias("directory.IUserGrain")]
public interface IUserGrain : IPrincipalGrain
{
    /// <summary>
    /// The user as it is now, for a reader of the change feed. Never interleaves: a change whose
    /// notice the reader saw and that is still in progress finishes first.
    /// </summary>
    [Alias("GetChangeAsync")]
    [Idempotent]
    Task<Changes.UserChange> GetChangeAsync();

    /// <summary>Creates the user, reserving its user principal name in the tenant.</summary>
    [Alias("CreateAsync")]
    [Idempotent]
    Task<UserView> CreateAsync(UserProfile profile);

    /// <summary>Returns the user; NOT_FOUND if missing, or soft-deleted unless <paramref name="includeDeleted"/>.</summary>
    [Alias("GetAsync")]
    [Idempotent]
    Task<UserView> GetAsync(bool includeDeleted);

    /// <summary>
    /// Returns the live user (NOT_FOUND otherwise), and once per activation makes sure its principal
    /// name and external id are bound to it: after storage went back in time a binding can be missing,
    /// and a user found by id must be found by name too. What a read by id calls.
    /// </summary>
    [Alias("GetWithKeysAsync")]
    [Idempotent]
    Task<UserView> GetWithKeysAsync();

    /// <summary>Applies the masked fields of <paramref name="changes"/> under an optional etag precondition.</summary>
    [Alias("UpdateAsync")]
    [Idempotent]
    Task<UserView> UpdateAsync(UserProfile changes, ImmutableArray<string> mask, string? etag);

    /// <summary>Soft-deletes the user.</summary>
    [Alias("DeleteAsync")]
    [Idempotent]
    Task<UserView> DeleteAsync(string? etag);

    /// <summary>Restores a soft-deleted user within the retention period.</summary>
    [Alias("RestoreAsync")]
    [Idempotent]
    Task<UserView> RestoreAsync();

    /// <summary>
    /// Applies, in one write, the joinings the groups still owe this user (each group is asked,
    /// inside this call, whether it still owes it: a group that delivered it meanwhile, or that the
    /// user left since, is skipped). Returns, per group, the handover number the group answered, or -1.
    /// A bulk import's call, with the import's patience (as <c>ImportMembersAsync</c>): the user may
    /// first have to take the updates a group delivers itself — a large group whose write failed
    /// delivers every handed-over update one by one — and 30 s then failed the whole import.
    /// </summary>
    [Alias("ApplyOwedMemberOfAsync")]
    [Idempotent]
    [ResponseTimeout("00:02:00")]
    Task<ImmutableArray<long>> ApplyOwedMemberOfAsync(ImmutableArray<string> groupIds);

    /// <summary>
    /// Whether the user holds the principal name (in its compared form): as last stored, live or
    /// restorable, or because a create or rename to it is in progress. Interleaves, so the name's key bucket
    /// can ask while this user waits on another name's key bucket (two users swapping names).
    /// </summary>
    [Alias("HoldsPrincipalNameAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<bool> HoldsPrincipalNameAsync(string nameKey);

    /// <summary>
    /// The sign-in view of the user, from the last stored snapshot (interleaves with writes, like
    /// <see cref="IPrincipalGrain.GetNodeAsync"/>). A <paramref name="reader"/> silo that caches the
    /// answer is told to drop it when the user changes, before the change is acknowledged.
    /// </summary>
    [Alias("GetSignInSubjectAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<SignInSubject> GetSignInSubjectAsync(SiloAddress? reader);
}

/// <summary>
/// What a sign-in needs of a user, as last stored: its principal name, its node (state, enabled
/// flag, direct groups) and its view (null unless the user exists).
/// </summary>
[GenerateSerializer, Immutable, Alias("SignInSubject")]
public sealed record SignInSubject(
    [property: Id(0)] string UserPrincipalName,
    [property: Id(1)] PrincipalNode Node,
    [property: Id(2)] UserView? View);
