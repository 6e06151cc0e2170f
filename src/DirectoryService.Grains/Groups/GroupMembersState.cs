using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// A group's direct members (the source of truth of membership) and the "member of" updates that
/// members have not yet acknowledged. Both are written in one state write, so no acknowledged
/// change can be lost between the two directions.
/// </summary>
[GenerateSerializer, Alias("GroupMembersState")]
public sealed class GroupMembersState
{
    [Id(0)] public Dictionary<string, ObjectKind> Members { get; set; } = [];

    /// <summary>Updates to members' "member of" index, in the order the member list changed.</summary>
    [Id(1)] public List<MemberOfChange> Pending { get; set; } = [];
}

/// <summary>An update owed to a member's "member of" index.</summary>
[GenerateSerializer, Immutable, Alias("MemberOfChange")]
public sealed record MemberOfChange([property: Id(0)] ObjectRef Member, [property: Id(1)] bool Added);
