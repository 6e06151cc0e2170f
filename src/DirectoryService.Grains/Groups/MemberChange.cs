using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// A change to a group's direct members: the members joining and those leaving. The group's rows
/// turn it into every row it touches (<see cref="GroupMemberRows.ApplyAsync"/>), and the updates it
/// owes the members' "member of" sets (<see cref="Owed"/>) go out through the <see cref="MemberOfOutbox"/>.
/// </summary>
public sealed record MemberChange(IReadOnlyList<ObjectRef> Joining, IReadOnlyList<ObjectRef> Leaving)
{
    public static MemberChange Add(IEnumerable<ObjectRef> members) => new([.. members.DistinctBy(m => m.Id)], []);

    public static MemberChange Remove(ObjectRef member) => new([], [member]);

    public bool IsEmpty => Joining.Count == 0 && Leaving.Count == 0;

    /// <summary>Groups joining: edges a cycle check must see from now on.</summary>
    public List<string> NestedJoining => [.. Joining.Where(m => m.Kind == ObjectKind.Group).Select(m => m.Id)];

    /// <summary>Groups leaving.</summary>
    public List<string> NestedLeaving => [.. Leaving.Where(m => m.Kind == ObjectKind.Group).Select(m => m.Id)];

    /// <summary>The "member of" updates the change owes, in order.</summary>
    public List<MemberOfChange> Owed =>
        [.. Joining.Select(m => new MemberOfChange(m, Added: true)), .. Leaving.Select(m => new MemberOfChange(m, Added: false))];
}
