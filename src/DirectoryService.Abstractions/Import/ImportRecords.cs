using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Abstractions.Import;

/// <summary>
/// A user as the import source describes it: the profile it must have (its external id set), and
/// its manager by external id (empty for none, null to leave it as it is). The profile's
/// <c>ManagerId</c> is ignored: the manager is resolved.
/// </summary>
[GenerateSerializer, Immutable, Alias("ImportedUser")]
public sealed record ImportedUser([property: Id(0)] long Position, [property: Id(1)] UserProfile Profile, [property: Id(2)] string? ManagerExternalId);

/// <summary>A group as the import source describes it.</summary>
[GenerateSerializer, Immutable, Alias("ImportedGroup")]
public sealed record ImportedGroup([property: Id(0)] long Position, [property: Id(1)] GroupProfile Profile);

/// <summary>A direct membership that must exist, both ends by external id.</summary>
[GenerateSerializer, Immutable, Alias("ImportedMembership")]
public sealed record ImportedMembership(
    [property: Id(0)] long Position,
    [property: Id(1)] string GroupExternalId,
    [property: Id(2)] string MemberExternalId,
    [property: Id(3)] ObjectKind MemberKind);

/// <summary>One batch of an import: applied users first, then groups, then memberships.</summary>
[GenerateSerializer, Immutable, Alias("ImportBatch")]
public sealed record ImportBatch(
    [property: Id(0)] ImmutableArray<ImportedUser> Users,
    [property: Id(1)] ImmutableArray<ImportedGroup> Groups,
    [property: Id(2)] ImmutableArray<ImportedMembership> Memberships)
{
    public int Count => Users.Length + Groups.Length + Memberships.Length;
}

/// <summary>
/// A record that changed nothing, with the error the single-object API would have answered. Its
/// field is named in the import's terms (<see cref="ImportFields"/>), never as an id it resolved;
/// the kind tells which record type the field belongs to (null for a membership).
/// </summary>
[GenerateSerializer, Immutable, Alias("ImportRejection")]
public sealed record ImportRejection([property: Id(0)] long Position, [property: Id(1)] ObjectKind? Kind, [property: Id(2)] DirectoryException Error);

/// <summary>How the records of an import turned out.</summary>
[GenerateSerializer, Immutable, Alias("ImportCounts")]
public sealed record ImportCounts(
    [property: Id(0)] long Records = 0,
    [property: Id(1)] long Created = 0,
    [property: Id(2)] long Updated = 0,
    [property: Id(3)] long Unchanged = 0,
    [property: Id(4)] long Rejected = 0)
{
    public static ImportCounts operator +(ImportCounts a, ImportCounts b) =>
        new(a.Records + b.Records, a.Created + b.Created, a.Updated + b.Updated, a.Unchanged + b.Unchanged, a.Rejected + b.Rejected);
}

/// <summary>
/// What a batch did: its rejections (in batch order), the import's counts so far, and the ids of
/// the objects it created or changed (a membership names its group and member), for the audit.
/// </summary>
[GenerateSerializer, Immutable, Alias("ImportBatchOutcome")]
public sealed record ImportBatchOutcome(
    [property: Id(0)] ImmutableArray<ImportRejection> Rejections,
    [property: Id(1)] ImportCounts Counts,
    [property: Id(2)] ImmutableArray<string> Changed);

/// <summary>The domain names of the import's own fields (the records' references by external id).</summary>
public static class ImportFields
{
    public const string ManagerExternalId = "managerExternalId";
    public const string GroupExternalId = "groupExternalId";
    public const string MemberExternalId = "memberExternalId";
}
