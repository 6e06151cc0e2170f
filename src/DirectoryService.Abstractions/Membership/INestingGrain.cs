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
    /// A bulk import's call: the nestings of up to 16 joined batches, so as long as the import's own
    /// call allows, not Orleans' 30 s (which a scale-1 import's 10,000 nestings ran past while
    /// storage was busy, failing the import for a retry from the start).
    /// </summary>
    [Alias("NestAsync")]
    [Idempotent]
    [ResponseTimeout("00:10:00")]
    Task<ImmutableArray<NestingResult>> NestAsync(ImmutableArray<Nesting> nestings);
}
