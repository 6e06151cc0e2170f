using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Nests groups in one tenant, one change at a time. Because every group-in-group edge is added
/// here, the cycle check of one change always sees the edges of all earlier ones: two concurrent
/// nestings cannot together close a cycle. The check follows member lists, the source of truth.
/// </summary>
[GrainType(GrainTypes.Nesting)]
public sealed class NestingGrain : Grain, INestingGrain
{
    private string TenantId => this.GetPrimaryKeyString();

    /// <summary>The error field of a nesting's member: the one member of <c>AddMembersAsync(group, [member])</c>.</summary>
    private static readonly ErrorField OnlyMember = new(DomainFields.Member, 0);

    public async Task<int> AddMembersAsync(string groupId, ImmutableArray<ObjectRef> members)
    {
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i].Kind == ObjectKind.Group && await ClosesCycleAsync(members[i].Id, groupId, NestedGroups, new ErrorField(DomainFields.Member, i)))
            {
                throw CycleError(members[i].Id, groupId, new ErrorField(DomainFields.Member, i));
            }
        }

        return await Group(groupId).AddMembersAsync(members);
    }

    /// <summary>
    /// In waves: each takes the nestings, in order, whose outcome cannot depend on the writes of the
    /// ones before it in the wave, then writes them (a group's in order, different groups side by
    /// side). A nesting that closes no cycle even with every earlier one of the wave assumed written
    /// closes none after fewer; one that closes a cycle through stored edges alone does whatever
    /// the wave writes. One that closes a cycle only through the wave's own edges (or meets the
    /// traversal limit with them) waits for the next wave, checked once those are written or refused.
    /// </summary>
    public async Task<ImmutableArray<NestingResult>> NestAsync(ImmutableArray<Nesting> nestings)
    {
        var results = new NestingResult[nestings.Length];
        var next = 0;
        while (next < nestings.Length)
        {
            var planned = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var wave = new List<int>();
            for (; next < nestings.Length; next++)
            {
                var (group, member) = nestings[next];
                var (decision, error) = await DecideAsync(group, member, planned);
                if (decision == Decision.Waits)
                {
                    break;
                }

                if (decision == Decision.Refused)
                {
                    results[next] = new NestingResult(false, error);
                    continue;
                }

                (planned.TryGetValue(group, out var members) ? members : planned[group] = []).Add(member);
                wave.Add(next);
            }

            var options = new ParallelOptions { MaxDegreeOfParallelism = WritesAtOnce, TaskScheduler = TaskScheduler.Current };
            await Parallel.ForEachAsync(wave.GroupBy(i => nestings[i].GroupId, StringComparer.Ordinal), options, async (writes, _) =>
            {
                foreach (var i in writes)
                {
                    results[i] = await WriteAsync(nestings[i]);
                }
            });
        }

        return [.. results];
    }

    /// <summary>Most groups written to at once by <see cref="NestAsync"/>.</summary>
    private const int WritesAtOnce = 32;

    private enum Decision
    {
        Joins,
        Refused,
        Waits,
    }

    /// <summary>Whether a nesting joins the wave, is refused (with its error), or waits for the next wave: see <see cref="NestAsync"/>.</summary>
    private async Task<(Decision, DirectoryException?)> DecideAsync(string group, string member, Dictionary<string, List<string>> planned)
    {
        if (planned.Count > 0)
        {
            bool throughWave;
            try
            {
                throughWave = await ClosesCycleAsync(member, group, id => WithPlannedAsync(id, planned), OnlyMember);
            }
            catch (DirectoryException)
            {
                // The wave's edges took the traversal past its limit: decide once they are written.
                return (Decision.Waits, null);
            }

            if (!throughWave)
            {
                return (Decision.Joins, null);
            }
        }

        try
        {
            return await ClosesCycleAsync(member, group, NestedGroups, OnlyMember)
                ? (Decision.Refused, CycleError(member, group, OnlyMember))
                : (planned.Count == 0 ? Decision.Joins : Decision.Waits, null);
        }
        catch (DirectoryException e)
        {
            // The traversal limit: alone, its error; in a wave, decided once the wave's edges are written.
            return planned.Count == 0 ? (Decision.Refused, e) : (Decision.Waits, null);
        }
    }

    private async Task<NestingResult> WriteAsync(Nesting nesting)
    {
        try
        {
            var added = await StaleStateRetry.RunAsync(() => Group(nesting.GroupId).AddMembersAsync([ObjectRef.Group(nesting.MemberGroupId)]));
            return new NestingResult(added > 0);
        }
        catch (DirectoryException e)
        {
            return new NestingResult(false, e);
        }
    }

    /// <summary>Whether <paramref name="member"/> already reaches <paramref name="group"/> (or is it), so that nesting it there would close a cycle.</summary>
    private static Task<bool> ClosesCycleAsync(string member, string group, Func<string, Task<ImmutableArray<string>>> nested, ErrorField field) =>
        MembershipGraph.ReachesAsync(member, group, nested, Limits.MaxTraversalVisits, field);

    private Task<ImmutableArray<string>> NestedGroups(string groupId) => Group(groupId).GetNestedGroupsAsync();

    private async Task<ImmutableArray<string>> WithPlannedAsync(string groupId, Dictionary<string, List<string>> planned)
    {
        var stored = await NestedGroups(groupId);
        return planned.TryGetValue(groupId, out var more) ? stored.AddRange(more) : stored;
    }

    private static DirectoryException CycleError(string member, string group, ErrorField field) =>
        DirectoryException.Precondition(field, $"adding group {member} to group {group} would create a membership cycle");

    private Abstractions.Groups.IGroupGrain Group(string groupId) => GrainFactory.Group(TenantId, groupId);
}
