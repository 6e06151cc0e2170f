using DirectoryService.Abstractions.Common;
using System.Collections.Immutable;
using DirectoryService.Abstractions.Retention;
using Orleans.Concurrency;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// What users and groups share as members: their node for traversals, and the "member of" index,
/// which only a group's member list may change (it is the derived direction of the relation).
/// </summary>
[Alias("directory.IPrincipalGrain")]
public interface IPrincipalGrain : IGrainWithStringKey
{
    /// <summary>
    /// Returns state, flags (account enabled for users, security enabled for groups) and direct
    /// parents as last stored. Interleaves with a write in progress (it answers from the last stored
    /// snapshot, never from a change not yet acknowledged), so sign-ins never queue behind writes.
    /// </summary>
    [Alias("GetNodeAsync")]
    [Idempotent]
    [AlwaysInterleave]
    Task<PrincipalNode> GetNodeAsync();

    /// <summary>
    /// Whether the object exists (live or restorable). If it does not, removes its listing row, which a
    /// create that failed may have left; a create in progress finishes first (this call does not interleave).
    /// </summary>
    [Alias("ExistsOrUnlistAsync")]
    [Idempotent]
    Task<bool> ExistsOrUnlistAsync();

    /// <summary>
    /// Whether the object holds the external id: as last stored (live or restorable), or because a
    /// create or change to it is in progress. Interleaves, so the id's grain can ask while the object
    /// waits on another key's bucket.
    /// </summary>
    [Alias("HoldsExternalIdAsync")]
    [Idempotent]
    [AlwaysInterleave]
    Task<bool> HoldsExternalIdAsync(string externalId);

    /// <summary>Records that the group lists this object as a member. Idempotent.</summary>
    [Alias("AddMemberOfAsync")]
    [Idempotent]
    Task AddMemberOfAsync(string groupId);

    /// <summary>Records that the group no longer lists this object as a member. Idempotent.</summary>
    [Alias("RemoveMemberOfAsync")]
    [Idempotent]
    Task RemoveMemberOfAsync(string groupId);

    /// <summary>
    /// The first step of the purge scheduled for objects deleted on <paramref name="scheduled"/>: if
    /// the object is past its retention, marks it as being purged (from then on it is gone, whatever
    /// a silo's clock says, so a restore can never meet half a purge) and answers the groups it must
    /// leave; otherwise says whether the schedule row stays. Run by the tenant's retention grain.
    /// </summary>
    [Alias("BeginPurgeAsync")]
    [Idempotent]
    Task<PurgeStart> BeginPurgeAsync(DateOnly scheduled);

    /// <summary>
    /// The last step of a purge, once the object has left every group (and a group has dropped its
    /// members): frees its unique keys, removes its rows and its state, and tells the change feed.
    /// Does nothing for an object not being purged.
    /// </summary>
    [Alias("EndPurgeAsync")]
    [Idempotent]
    Task EndPurgeAsync();

}
