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
    public async Task<int> AddMembersAsync(string groupId, ImmutableArray<ObjectRef> members)
    {
        var tenantId = this.GetPrimaryKeyString();
        for (var i = 0; i < members.Length; i++)
        {
            if (members[i].Kind != ObjectKind.Group)
            {
                continue;
            }

            var field = new ErrorField(DomainFields.Member, i);
            var closesCycle = await MembershipGraph.ReachesAsync(
                members[i].Id, groupId, id => GrainFactory.Group(tenantId, id).GetNestedGroupsAsync(), Limits.MaxTraversalVisits, field);
            if (closesCycle)
            {
                throw DirectoryException.Precondition(field, $"adding group {members[i].Id} to group {groupId} would create a membership cycle");
            }
        }

        return await GrainFactory.Group(tenantId, groupId).AddMembersAsync(members);
    }
}
