using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// Serialises the changes that nest groups in one tenant (keyed by tenant id), so that two
/// concurrent nestings can never together form a cycle.
/// </summary>
[Alias("directory.INestingGrain")]
public interface INestingGrain : IGrainWithStringKey
{
    /// <summary>Adds members, some of them groups, to a group after checking that no cycle results.</summary>
    [Alias("AddMembersAsync")]
    [Idempotent]
    Task<int> AddMembersAsync(string groupId, ImmutableArray<ObjectRef> members);

    /// <summary>
    /// Nests groups with exactly the outcome of adding each alone, in order (a pair that would close
    /// a cycle with the pairs before it is refused), writing the pairs of different groups side by
    /// side. Each pair's error names the member as <c>AddMembersAsync(group, [member])</c> would.
    /// </summary>
    [Alias("NestAsync")]
    [Idempotent]
    Task<ImmutableArray<NestingResult>> NestAsync(ImmutableArray<Nesting> nestings);
}
