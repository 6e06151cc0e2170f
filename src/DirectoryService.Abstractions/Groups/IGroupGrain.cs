using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using Orleans.Concurrency;

namespace DirectoryService.Abstractions.Groups;

/// <summary>One group and its direct member list, the source of truth for membership. Keyed by <c>{tenant}/{groupId}</c>.</summary>
[Alias("directory.IGroupGrain")]
public interface IGroupGrain : IPrincipalGrain
{
    /// <summary>
    /// The group as it is now and, of <paramref name="members"/>, which are direct members (added)
    /// and which are not (removed), for a reader of the change feed. Never interleaves: a change
    /// whose notice the reader saw and that is still in progress finishes first.
    /// </summary>
    [Alias("GetChangeAsync")]
    [Idempotent]
    Task<Changes.GroupChange> GetChangeAsync(ImmutableArray<ObjectRef> members);

    /// <summary>Creates the group.</summary>
    [Alias("CreateAsync")]
    [Idempotent]
    Task<GroupView> CreateAsync(GroupProfile profile);

    /// <summary>Returns the group; NOT_FOUND if missing, or soft-deleted unless <paramref name="includeDeleted"/>.</summary>
    [Alias("GetAsync")]
    [Idempotent]
    Task<GroupView> GetAsync(bool includeDeleted);

    /// <summary>Applies the masked fields of <paramref name="changes"/> under an optional etag precondition.</summary>
    [Alias("UpdateAsync")]
    [Idempotent]
    Task<GroupView> UpdateAsync(GroupProfile changes, ImmutableArray<string> mask, string? etag);

    /// <summary>Soft-deletes the group.</summary>
    [Alias("DeleteAsync")]
    [Idempotent]
    Task<GroupView> DeleteAsync(string? etag);

    /// <summary>Restores a soft-deleted group within the retention period.</summary>
    [Alias("RestoreAsync")]
    [Idempotent]
    Task<GroupView> RestoreAsync();

    /// <summary>
    /// Adds members (all or nothing) and returns how many were new. Group members must come through
    /// <see cref="INestingGrain"/>, which rules out cycles.
    /// </summary>
    [Alias("AddMembersAsync")]
    [Idempotent]
    Task<int> AddMembersAsync(ImmutableArray<ObjectRef> members);

    /// <summary>
    /// Adds users (not groups) member by member, for bulk import: members already present are
    /// counted, a member that cannot join is refused alone, the others join (in as few changes as
    /// the group's buckets allow). With an <paramref name="importer"/> (the import's key) the
    /// changes' "member of" updates are handed over to it, under the one handover number the answer
    /// carries: the import has the members apply them in bulk
    /// (<see cref="Users.IUserGrain.ApplyOwedMemberOfAsync"/>) and confirms with
    /// <see cref="DeliveredAsync"/>. The group still owes them until then, and delivers them itself
    /// before its next change or listing, before a call of another import, or after a timeout; the
    /// same import's later calls leave them alone. Without one, every update is delivered before the answer.
    /// </summary>
    [Alias("ImportMembersAsync")]
    [Idempotent]
    [ResponseTimeout("00:02:00")]
    Task<MemberImport> ImportMembersAsync(ImmutableArray<ObjectRef> users, string? importer);

    /// <summary>
    /// Whether every one of the users is a direct member, for an import that applies a batch only
    /// if nothing in it changes (<see cref="Import.IImportGrain.ApplyUnchangedAsync"/>). Delivers
    /// first what the group owes from earlier changes, as <see cref="ImportMembersAsync"/> does, so
    /// that the import's acknowledgement covers the "member of" side too.
    /// </summary>
    [Alias("HasMembersAsync")]
    [Idempotent]
    [ResponseTimeout("00:02:00")]
    Task<bool> HasMembersAsync(ImmutableArray<ObjectRef> users, string importer);

    /// <summary>
    /// Whether the group still owes the member its joining: the handover's number (0 when the group
    /// delivers it itself), or null. Interleaves: a member asks while it applies the update. Given
    /// the time of its caller (<see cref="Users.IUserGrain.ApplyOwedMemberOfAsync"/>): a group whose
    /// activation must first read back what it owes (a whole import's handover after a restart) answers late.
    /// </summary>
    [Alias("OwesAsync")]
    [Idempotent]
    [AlwaysInterleave]
    [ResponseTimeout("00:02:00")]
    Task<long?> OwesAsync(string memberId);

    /// <summary>Confirms that the members applied the joinings the group handed over under these handovers.</summary>
    [Alias("DeliveredAsync")]
    [Idempotent]
    Task DeliveredAsync(ImmutableArray<long> handovers, ImmutableArray<string> memberIds);

    /// <summary>Removes a direct member; NOT_FOUND if it is not one.</summary>
    [Alias("RemoveMemberAsync")]
    [Idempotent]
    Task RemoveMemberAsync(ObjectRef member);

    /// <summary>
    /// Removes a member being purged, whatever this group's own state (a deleted group keeps no
    /// purged member for a later restore); nothing if it is not a member. The member's side follows
    /// as for any removal.
    /// </summary>
    [Alias("DropMemberAsync")]
    [Idempotent]
    Task DropMemberAsync(ObjectRef member);

    /// <summary>For a group being purged (after <c>BeginPurgeAsync</c>): removes every direct member, each member's side too.</summary>
    [Alias("DropMembersAsync")]
    [Idempotent]
    Task DropMembersAsync();

    /// <summary>Returns up to <paramref name="limit"/> direct members after id <paramref name="after"/>, ordered by id, deleted ones included.</summary>
    [Alias("GetMembersAsync")]
    [Idempotent]
    Task<Page<ObjectRef>> GetMembersAsync(string? after, int limit);

    /// <summary>
    /// Returns the ids of the groups among the direct members, deleted ones included: the edges a
    /// cycle check follows. Interleaves with the group's other calls (nested groups change only
    /// through the tenant's nesting grain, which is the caller of every check), so a check never
    /// queues behind a group busy adding users.
    /// </summary>
    [Alias("GetNestedGroupsAsync")]
    [Idempotent]
    [AlwaysInterleave]
    Task<ImmutableArray<string>> GetNestedGroupsAsync();
}

/// <summary>
/// What <see cref="IGroupGrain.ImportMembersAsync"/> did: the ids that joined, the refused members by
/// index (the others were members already), and the number of the handover of the call's updates,
/// for the joined ids in <see cref="HandedOver"/> (null when there is none).
/// </summary>
[GenerateSerializer, Immutable, Alias("MemberImport")]
public sealed record MemberImport(
    [property: Id(0)] ImmutableArray<string> Joined,
    [property: Id(1)] ImmutableArray<MemberRefusal> Refused,
    [property: Id(2)] long? Handover = null,
    [property: Id(3)] ImmutableArray<string> HandedOver = default);

/// <summary>A member the group refused: its index in the call, and the error the single-object API would answer.</summary>
[GenerateSerializer, Immutable, Alias("MemberRefusal")]
public sealed record MemberRefusal(
    [property: Id(0)] int Index,
    [property: Id(1)] DirectoryErrorCode Code,
    [property: Id(2)] string Description);
