using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Common;
using Orleans.Concurrency;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Answers membership questions from the graph as it is stored now: every answer reflects every
/// change acknowledged before the question was asked. Upward questions (a principal's groups) are
/// answered by <see cref="SignInReads"/> from this silo's exact caches.
/// Stateless: it runs on the silo that received the request.
/// </summary>
[GrainType(GrainTypes.MembershipQuery)]
[StatelessWorker]
public sealed class MembershipQueryGrain(SignInReads transitive) : Grain, IMembershipQueryGrain
{
    private const int MemberChunk = 1000;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<Page<ObjectRef>> ListMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken)
    {
        await RequireLiveAsync(ObjectRef.Group(groupId), DomainFields.Group);
        var group = GrainFactory.Group(TenantId, groupId);
        var live = new List<ObjectRef>();
        var cursor = after;
        while (live.Count <= limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await group.GetMembersAsync(cursor, limit + 1 - live.Count);
            var nodes = await Task.WhenAll(chunk.Items.Select(Node));
            live.AddRange(chunk.Items.Where((_, i) => nodes[i].IsLive));
            if (chunk.Next is null)
            {
                break;
            }

            cursor = chunk.Next;
        }

        return live.Count > limit
            ? new Page<ObjectRef>(live.GetRange(0, limit), live[limit - 1].Id)
            : new Page<ObjectRef>(live, null);
    }

    public async Task<Page<ObjectRef>> ListTransitiveMembersAsync(string groupId, string? after, int limit, CancellationToken cancellationToken)
    {
        await RequireLiveAsync(ObjectRef.Group(groupId), DomainFields.Group);
        var all = await MembershipGraph.DescendantsAsync(groupId, AllMembersAsync, Node, Limits.MaxTraversalVisits, DomainFields.Group, cancellationToken);
        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return SortedPage.After(all, after, limit, m => m.Id);
    }

    public async Task<Page<string>> ListMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken)
    {
        var node = await RequireLiveAsync(principal, DomainFields.Principal);
        var parents = await Task.WhenAll(node.MemberOf.Select(id => Node(ObjectRef.Group(id))));
        List<string> live = [.. node.MemberOf.Where((_, i) => parents[i].IsLive)];
        return SortedPage.After(live, after, limit, id => id);
    }

    public async Task<Page<string>> ListTransitiveMemberOfAsync(ObjectRef principal, string? after, int limit, CancellationToken cancellationToken)
    {
        var groups = await transitive.TransitiveGroupsAsync(TenantId, principal, cancellationToken);
        List<string> ids = [.. groups.Ids(securityEnabledOnly: false)];
        return SortedPage.After(ids, after, limit, id => id);
    }

    private async Task<IReadOnlyList<ObjectRef>> AllMembersAsync(string groupId)
    {
        var group = GrainFactory.Group(TenantId, groupId);
        var all = new List<ObjectRef>();
        string? cursor = null;
        do
        {
            var chunk = await group.GetMembersAsync(cursor, MemberChunk);
            all.AddRange(chunk.Items);
            cursor = chunk.Next;
        }
        while (cursor is not null);
        return all;
    }

    private Task<PrincipalNode> Node(ObjectRef o) => GrainFactory.Principal(TenantId, o).GetNodeAsync();

    private async Task<PrincipalNode> RequireLiveAsync(ObjectRef principal, ErrorField field)
    {
        var node = await Node(principal);
        return node.IsLive ? node : throw DirectoryException.NotFound(field, principal.Kind == ObjectKind.User ? "user" : "group");
    }
}
