using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Membership;

/// <summary>One group to be nested in another: <see cref="MemberGroupId"/> becomes a member of <see cref="GroupId"/>.</summary>
[GenerateSerializer, Immutable, Alias("Nesting")]
public sealed record Nesting([property: Id(0)] string GroupId, [property: Id(1)] string MemberGroupId);

/// <summary>How one <see cref="Nesting"/> turned out: added (false when it was already there), or refused with the error adding it alone would give.</summary>
[GenerateSerializer, Immutable, Alias("NestingResult")]
public sealed record NestingResult([property: Id(0)] bool Added, [property: Id(1)] DirectoryException? Error = null);
