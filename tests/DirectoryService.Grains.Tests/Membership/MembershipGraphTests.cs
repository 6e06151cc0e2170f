using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Membership;

namespace DirectoryService.Grains.Tests.Membership;

public sealed class MembershipGraphTests
{
    /// <summary>A graph in memory: group → (members), with deleted groups and users marked.</summary>
    private sealed class Graph
    {
        private readonly Dictionary<string, List<ObjectRef>> _members = [];
        private readonly HashSet<string> _deleted = [];
        private readonly HashSet<string> _security = [];

        public int Reads { get; private set; }

        public Graph Add(string group, params string[] members)
        {
            _members.TryAdd(group, []);
            foreach (var m in members)
            {
                _members[group].Add(m.StartsWith('u') ? ObjectRef.User(m) : ObjectRef.Group(m));
                if (!m.StartsWith('u'))
                {
                    _members.TryAdd(m, []);
                }
            }

            return this;
        }

        public Graph Delete(string id)
        {
            _deleted.Add(id);
            return this;
        }

        public Graph Secure(string id)
        {
            _security.Add(id);
            return this;
        }

        public Task<PrincipalNode> Node(string id)
        {
            Reads++;
            var parents = _members.Where(g => g.Value.Any(m => m.Id == id)).Select(g => g.Key);
            return Task.FromResult(new PrincipalNode(
                _deleted.Contains(id) ? ObjectState.Deleted : ObjectState.Live, _security.Contains(id), [.. parents]));
        }

        public Task<ImmutableArray<string>> NestedGroups(string id) =>
            Task.FromResult<ImmutableArray<string>>([.. _members.GetValueOrDefault(id, []).Where(m => m.Kind == ObjectKind.Group).Select(m => m.Id)]);

        public Task<IReadOnlyList<ObjectRef>> Members(string id) =>
            Task.FromResult<IReadOnlyList<ObjectRef>>(_members.GetValueOrDefault(id, []));
    }

    private static async Task<string[]> Ancestors(Graph g, string principal, int max = 1000)
    {
        var start = await g.Node(principal);
        var result = await new ClosureCache().AncestorsAsync("t", start.MemberOf, g.Node, max, "principal.id", CancellationToken.None);
        return [.. result.Groups.Keys.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Ancestors_FollowNestingAndCountDiamondsOnce()
    {
        var g = new Graph().Add("g1", "u1").Add("g2", "u1").Add("g3", "g1", "g2").Add("g4", "g3");
        Assert.Equal(["g1", "g2", "g3", "g4"], await Ancestors(g, "u1"));
    }

    [Fact]
    public async Task Ancestors_NeitherReturnNorPassThroughDeletedGroups()
    {
        var g = new Graph().Add("g1", "u1").Add("g2", "g1").Add("g3", "u1").Add("g2", "g3").Delete("g1");
        Assert.Equal(["g2", "g3"], await Ancestors(g, "u1"));
        g.Delete("g3");
        Assert.Empty(await Ancestors(g, "u1"));
    }

    [Fact]
    public async Task Ancestors_StopWithResourceExhausted_BeyondTheBudget()
    {
        var g = new Graph();
        for (var i = 0; i < 30; i++)
        {
            g.Add("g" + i, "u1");
        }

        var error = await Assert.ThrowsAsync<DirectoryException>(() => Ancestors(g, "u1", max: 10));
        Assert.Equal(DirectoryErrorCode.ResourceExhausted, error.Code);
        Assert.Equal("principal.id", error.Field);
    }

    [Fact]
    public async Task Ancestors_RefuseACallerThatHasGone()
    {
        var g = new Graph().Add("g1", "u1").Add("g2", "g1").Add("g3", "g2");
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ClosureCache().AncestorsAsync("t", ["g1"], g.Node, 100, "principal.id", gone.Token));
    }

    [Fact]
    public async Task Closures_AreReadOncePerGroup_UntilTheTenantIsInvalidated()
    {
        var g = new Graph().Add("g1", "u1").Add("g2", "u2").Add("top", "g1", "g2").Add("g1", "u3");
        var cache = new ClosureCache();
        async Task<string[]> Of(string user) =>
            [.. (await cache.AncestorsAsync("t", (await g.Node(user)).MemberOf, g.Node, 100, "p", CancellationToken.None)).Groups.Keys.Order(StringComparer.Ordinal)];

        Assert.Equal(["g1", "top"], await Of("u1"));
        var reads = g.Reads;
        Assert.Equal(["g2", "top"], await Of("u2"));
        Assert.Equal(["g1", "top"], await Of("u3"));
        Assert.Equal(reads + 1 + 1 + 1, g.Reads); // the two users' own nodes and g2; top and g1 were cached

        g.Delete("top");
        Assert.Equal(["g1", "top"], await Of("u1")); // cached: no change reached this cache yet
        cache.Invalidate("t");
        Assert.Equal(["g1"], await Of("u1"));
        Assert.Equal(0, cache.Count("other"));
    }

    [Fact]
    public async Task A_fill_that_began_before_an_invalidation_is_never_served_after_it()
    {
        var g = new Graph().Add("g1", "u1").Add("top", "g1");
        var cache = new ClosureCache();
        var topRead = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        async Task<PrincipalNode> SlowNode(string id)
        {
            var node = await g.Node(id);
            if (id == "top")
            {
                topRead.SetResult();
                await release.Task;
            }

            return node;
        }

        // The early fill has read "top" as live; then "top" is deleted and the change acknowledged.
        var early = cache.AncestorsAsync("t", ["g1"], SlowNode, 100, "p", CancellationToken.None);
        await topRead.Task;
        g.Delete("top");
        cache.Invalidate("t");
        release.SetResult();
        Assert.Equal(["g1", "top"], (await early).Groups.Keys.Order(StringComparer.Ordinal)); // concurrent with the change: either answer

        var later = await cache.AncestorsAsync("t", ["g1"], g.Node, 100, "p", CancellationToken.None);
        Assert.Equal(["g1"], later.Groups.Keys);
    }

    [Fact]
    public async Task Reaches_FindsPathsThroughDeletedGroups()
    {
        var g = new Graph().Add("a", "b").Add("b", "c").Delete("b");
        Assert.True(await MembershipGraph.ReachesAsync("a", "c", g.NestedGroups, 100, "f"));
        Assert.True(await MembershipGraph.ReachesAsync("a", "a", g.NestedGroups, 100, "f"));
        Assert.False(await MembershipGraph.ReachesAsync("c", "a", g.NestedGroups, 100, "f"));
    }

    [Fact]
    public async Task Descendants_ListLiveObjectsOnce_SkippingDeletedSubtrees()
    {
        var g = new Graph().Add("top", "left", "right").Add("left", "u1", "u2").Add("right", "u2", "hidden").Add("hidden", "u3").Delete("hidden").Delete("u1");
        var result = await MembershipGraph.DescendantsAsync("top", g.Members, r => g.Node(r.Id), 100, "group_id");
        Assert.Equal(["left", "right", "u2"], result.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GroupClaims_MemberGroups_RefusesMoreThan11000()
    {
        var groups = Enumerable.Range(0, Limits.MaxMemberGroups + 1)
            .ToDictionary(i => $"g{i:D6}", _ => new PrincipalNode(ObjectState.Live, true, []));
        var error = Assert.Throws<DirectoryException>(() => GroupClaims.MemberGroups(new TransitiveGroups(new object(), groups), false));
        Assert.Equal(DirectoryErrorCode.FailedPrecondition, error.Code);
        Assert.Contains("ListTransitiveMemberOf", error.Message);

        groups.Remove("g000000");
        Assert.Equal(Limits.MaxMemberGroups, GroupClaims.MemberGroups(new TransitiveGroups(new object(), groups), false).Length);
    }

    [Fact]
    public void GroupClaims_SignIn_SwitchesToOverageAbove200()
    {
        var groups = Enumerable.Range(0, 200).ToDictionary(i => $"g{i:D3}", i => new PrincipalNode(ObjectState.Live, i % 2 == 0, []));
        Assert.Equal(200, GroupClaims.SignIn("u", new TransitiveGroups(new object(), groups), false).GroupIds.Length);
        groups["g999"] = new PrincipalNode(ObjectState.Live, false, []);
        var more = new TransitiveGroups(new object(), groups);
        var overage = GroupClaims.SignIn("u", more, false);
        Assert.True(overage.GroupsOverage);
        Assert.Empty(overage.GroupIds);
        Assert.Equal(100, GroupClaims.SignIn("u", more, securityEnabledOnly: true).GroupIds.Length);
    }
}
