namespace DirectoryService.Grains.Common;

/// <summary>
/// The durable state every user and group has: its profile, version and soft-delete mark, and the
/// groups it is a direct member of (written only by this object's grain, on the instruction of the
/// group, which holds the source of truth). Kept here rather than in rows of its own: a principal's
/// direct groups are few (bounded by <see cref="Abstractions.Common.Limits.MaxDirectMemberOf"/>), and
/// then one state write covers a membership change and concurrent changes of many principals share
/// one storage transaction.
/// </summary>
[GenerateSerializer, Alias("DirectoryObjectState`1")]
public sealed class DirectoryObjectState<TProfile>
    where TProfile : class
{
    /// <summary>Null until the object is created.</summary>
    [Id(0)] public TProfile? Profile { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public long Version { get; set; }
    [Id(3)] public DateTimeOffset? DeletedAt { get; set; }
    [Id(4)] public HashSet<string> MemberOf { get; set; } = [];

    /// <summary>When the profile or deletion mark last changed (null for objects stored before it was kept).</summary>
    [Id(5)] public DateTimeOffset? ModifiedAt { get; set; }

    /// <summary>Set when the purge of an object past its retention begins: from then on it is gone, whatever a clock says.</summary>
    [Id(6)] public bool Purging { get; set; }
}
