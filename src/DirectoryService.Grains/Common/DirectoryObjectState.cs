using DirectoryService.Abstractions.Common;

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

    /// <summary>The groups this object is a direct member of; stored packed (<see cref="PackedMemberOf"/>).</summary>
    public HashSet<string> MemberOf { get => _memberOf; set => _memberOf = value; }

    [NonSerialized] private HashSet<string> _memberOf = [];

    /// <summary>
    /// The stored form of <see cref="MemberOf"/> as text: every id of a state written before ids
    /// were packed, and since then only an id not in the form the directory mints (none, in practice).
    /// </summary>
    [Id(4)]
    internal HashSet<string>? TextMemberOf
    {
        get => MemberOf.All(PackedIds.Packs) ? null : [.. MemberOf.Where(id => !PackedIds.Packs(id))];
        set => MemberOf.UnionWith(value ?? []);
    }

    /// <summary>When the profile or deletion mark last changed (null for objects stored before it was kept).</summary>
    [Id(5)] public DateTimeOffset? ModifiedAt { get; set; }

    /// <summary>Set when the purge of an object past its retention begins: from then on it is gone, whatever a clock says.</summary>
    [Id(6)] public bool Purging { get; set; }

    /// <summary>
    /// The stored form of <see cref="MemberOf"/>: its ids packed 16 bytes each (<see cref="PackedIds"/>)
    /// instead of ~38 as text. A user's groups are most of its state, and at 100,000 users that is
    /// ~25 MB less for storage to hold (Azurite re-writes all it holds every few seconds).
    /// </summary>
    [Id(7)]
    internal byte[]? PackedMemberOf
    {
        get => PackedIds.Pack(MemberOf);
        set => MemberOf.UnionWith(PackedIds.Unpack(value));
    }
}
