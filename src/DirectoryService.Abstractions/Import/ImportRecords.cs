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

/// <summary>
/// One batch of an import: applied users first, then groups, then memberships. A batch may be
/// several of the client's batches joined (<see cref="Join"/>): <see cref="Parts"/> then holds how
/// many records each contributed, in order (empty for a batch of one part).
/// </summary>
[GenerateSerializer, Immutable, Alias("ImportBatch")]
public sealed record ImportBatch(
    [property: Id(0)] ImmutableArray<ImportedUser> Users,
    [property: Id(1)] ImmutableArray<ImportedGroup> Groups,
    [property: Id(2)] ImmutableArray<ImportedMembership> Memberships,
    [property: Id(3)] ImmutableArray<int> Parts = default)
{
    public int Count => Users.Length + Groups.Length + Memberships.Length;

    /// <summary>How many of the client's batches this one holds.</summary>
    public int PartCount => Parts.IsDefaultOrEmpty ? 1 : Parts.Length;

    /// <summary>The part each record belongs to, by its index in the batch's order (users, groups, memberships).</summary>
    public int PartOf(int index)
    {
        if (Parts.IsDefaultOrEmpty)
        {
            return 0;
        }

        for (var part = 0; part < Parts.Length; part++)
        {
            if (index < Parts[part])
            {
                return part;
            }

            index -= Parts[part];
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>
    /// Whether <paramref name="next"/> may be applied together with this batch — one batch, its
    /// records after this one's — with exactly the outcome of applying the two one after the other:
    /// when both hold only groups (a group's one unique key is its external id, whose records apply
    /// in order), or only memberships (a group takes its users in order, and adding is idempotent;
    /// nestings are checked for cycles in order, one batch's after another's), or only users, which
    /// are then applied part after part (<see cref="UsersByPart"/>: two records of different external
    /// ids may contend for one principal name, which the earlier batch must win) but have the keys
    /// of all their new users bound together first. Mixed batches never join: their kinds apply in turn.
    /// </summary>
    public bool Joins(ImportBatch next) => Kind() is { } kind && next.Kind() == kind;

    /// <summary>The users of each part, in order (the batch's users, for a batch of one part).</summary>
    public IEnumerable<ImmutableArray<ImportedUser>> UsersByPart()
    {
        // A joined batch holds one kind of record: only a joined batch of users has parts of users.
        if (Parts.IsDefaultOrEmpty || Users.Length != Count)
        {
            yield return Users;
            yield break;
        }
        var start = 0;
        foreach (var count in Parts)
        {
            yield return Users.Slice(start, count);
            start += count;
        }
    }

    /// <summary>This batch and <paramref name="next"/> as one (<see cref="Joins"/> must hold).</summary>
    public ImportBatch Join(ImportBatch next) => new(
        Users.AddRange(next.Users), Groups.AddRange(next.Groups), Memberships.AddRange(next.Memberships),
        [.. Parts.IsDefaultOrEmpty ? [Count] : Parts, .. next.Parts.IsDefaultOrEmpty ? [next.Count] : next.Parts]);

    /// <summary>The one kind of record the batch holds; null for a mixed or empty batch.</summary>
    private RecordKind? Kind() => (Users.Length > 0, Groups.Length > 0, Memberships.Length > 0) switch
    {
        (true, false, false) => RecordKind.Users,
        (false, true, false) => RecordKind.Groups,
        (false, false, true) => RecordKind.Memberships,
        _ => null,
    };

    private enum RecordKind
    {
        Users,
        Groups,
        Memberships,
    }
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

/// <summary>How the records one of the client's batches contributed to a joined batch turned out.</summary>
[GenerateSerializer, Immutable, Alias("ImportPartOutcome")]
public sealed record ImportPartOutcome([property: Id(0)] ImportCounts Counts, [property: Id(1)] ImmutableArray<ImportRejection> Rejections);

/// <summary>
/// What a batch did: its rejections (in batch order), the import's counts so far, the ids of the
/// objects it created or changed (a membership names its group and member), for the audit, and
/// the outcome of each part it joined, in order (<see cref="ImportBatch.Parts"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ImportBatchOutcome")]
public sealed record ImportBatchOutcome(
    [property: Id(0)] ImmutableArray<ImportRejection> Rejections,
    [property: Id(1)] ImportCounts Counts,
    [property: Id(2)] ImmutableArray<string> Changed,
    [property: Id(3)] ImmutableArray<ImportPartOutcome> Parts);

/// <summary>The domain names of the import's own fields (the records' references by external id).</summary>
public static class ImportFields
{
    public const string ManagerExternalId = "managerExternalId";
    public const string GroupExternalId = "groupExternalId";
    public const string MemberExternalId = "memberExternalId";
}
