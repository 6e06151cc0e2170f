using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Membership;

/// <summary>Whether an object exists, and whether it is live or soft-deleted.</summary>
public enum ObjectState
{
    Missing = 0,
    Live = 1,
    Deleted = 2,
}

/// <summary>
/// What a membership traversal needs to know of one user or group: its state, the flags a sign-in
/// answer depends on, and the groups it is a direct member of.
/// </summary>
[GenerateSerializer, Immutable, Alias("PrincipalNode")]
public sealed record PrincipalNode(
    [property: Id(0)] ObjectState State,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] ImmutableArray<string> MemberOf)
{
    public static readonly PrincipalNode Missing = new(ObjectState.Missing, false, []);

    public bool IsLive => State == ObjectState.Live;
}
