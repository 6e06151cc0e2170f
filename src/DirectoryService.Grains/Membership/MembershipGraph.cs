using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Breadth-first walks of the membership graph, one level at a time with each level's reads issued
/// together. How a node is read is passed in, so the walks are tested without a cluster. Every walk
/// stops with RESOURCE_EXHAUSTED once it has visited <c>maxVisits</c> objects, and between levels
/// when the caller has gone (its call was cancelled or its deadline passed).
/// </summary>
public static class MembershipGraph
{
    /// <summary>Whether <paramref name="target"/> is <paramref name="start"/> or reachable from it along <paramref name="next"/>.</summary>
    public static async Task<bool> ReachesAsync(
        string start, string target, Func<string, Task<ImmutableArray<string>>> next, int maxVisits, ErrorField field, CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var frontier = new List<string> { start };
        while (frontier.Count > 0)
        {
            if (frontier.Contains(target))
            {
                return true;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var children = await Task.WhenAll(frontier.Select(next));
            frontier = [.. children.SelectMany(c => c).Where(seen.Add)];
            Budget(seen.Count, maxVisits, field);
        }

        return false;
    }

    /// <summary>
    /// The live users and groups reachable downwards from a group, each once. Members of a deleted
    /// group are reached only through other, live paths.
    /// </summary>
    public static async Task<List<ObjectRef>> DescendantsAsync(
        string groupId,
        Func<string, Task<IReadOnlyList<ObjectRef>>> membersOf,
        Func<ObjectRef, Task<PrincipalNode>> node,
        int maxVisits,
        ErrorField field,
        CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { groupId };
        var result = new List<ObjectRef>();
        var frontier = new List<string> { groupId };
        while (frontier.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lists = await Task.WhenAll(frontier.Select(membersOf));
            var candidates = lists.SelectMany(l => l).Where(m => seen.Add(m.Id)).ToList();
            Budget(seen.Count, maxVisits, field);
            var nodes = await Task.WhenAll(candidates.Select(node));
            frontier = [];
            for (var i = 0; i < candidates.Count; i++)
            {
                if (!nodes[i].IsLive)
                {
                    continue;
                }

                result.Add(candidates[i]);
                if (candidates[i].Kind == ObjectKind.Group)
                {
                    frontier.Add(candidates[i].Id);
                }
            }
        }

        return result;
    }

    /// <summary>RESOURCE_EXHAUSTED once a walk has visited more than <paramref name="maxVisits"/> objects.</summary>
    public static void Budget(int visited, int maxVisits, ErrorField field)
    {
        if (visited > maxVisits)
        {
            throw DirectoryException.Exhausted(field, $"the membership walk would visit more than {maxVisits} objects; narrow the request");
        }
    }
}
