using DirectoryService.Abstractions.Common;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// This silo's cache of group closures: for a group, itself and every live group above it (with
/// their nodes), or nothing if the group is not live. A user's transitive groups are then the union
/// of the closures of its direct groups, which the user grain itself answers exactly, so a sign-in
/// costs a few in-memory unions instead of one grain call per ancestor.
/// <para>
/// Exactness: every change to a group's node (its own "member of" set, deletion or restore, security
/// flag) reaches every silo's cache as an invalidation of the tenant before the change is
/// acknowledged (<see cref="CacheInvalidator"/>). An invalidation swaps the tenant's view for an
/// empty one; a fill started before it finishes into the old, discarded view, so no entry computed
/// from state older than an acknowledged change is ever served after that acknowledgement.
/// </para>
/// </summary>
public sealed class ClosureCache(SignInMetrics? metrics = null)
{
    /// <summary>Most cached closures per tenant on one silo; past it the tenant's view starts over.</summary>
    public const int MaxEntriesPerTenant = 200_000;

    private readonly ConcurrentDictionary<string, View> _tenants = new(StringComparer.Ordinal);

    /// <summary>
    /// The live groups above a principal whose direct groups are <paramref name="parents"/>: the union
    /// of their closures, all read from the tenant's current view. A deleted or missing group confers
    /// no membership, so neither it nor what is above it (unless also reached through a live path) is
    /// included. RESOURCE_EXHAUSTED past <paramref name="maxVisits"/> groups. With
    /// <paramref name="uncached"/> (this silo's read leases are not fresh) nothing cached is used or
    /// kept: every closure is read from the grains into a view of its own.
    /// </summary>
    public async Task<TransitiveGroups> AncestorsAsync(
        string tenantId, IReadOnlyCollection<string> parents, Func<string, Task<PrincipalNode>> node, int maxVisits, ErrorField field, CancellationToken cancellationToken, bool uncached = false)
    {
        var view = uncached ? new View() : _tenants.GetOrAdd(tenantId, _ => new View());
        if (metrics is not null && !uncached)
        {
            foreach (var id in parents)
            {
                metrics.ClosureLookup(view.Groups.TryGetValue(id, out var cached) && cached.IsCompletedSuccessfully);
            }
        }

        var closures = await Task.WhenAll(parents.Select(id => GetAsync(view, id, node, depth: 0)));
        cancellationToken.ThrowIfCancellationRequested();
        var groups = new Dictionary<string, PrincipalNode>(closures.Length == 1 ? closures[0].Groups.Count : 64, StringComparer.Ordinal);
        foreach (var closure in closures)
        {
            foreach (var (id, group) in closure.Groups)
            {
                groups.TryAdd(id, group);
            }

            MembershipGraph.Budget(groups.Count, maxVisits, field);
        }

        return new TransitiveGroups(view, groups);
    }

    /// <summary>Fills the group's closure (and those above it) in the tenant's current view, unless cached already.</summary>
    public Task WarmAsync(string tenantId, string groupId, Func<string, Task<PrincipalNode>> node) =>
        GetAsync(_tenants.GetOrAdd(tenantId, _ => new View()), groupId, node, depth: 0);

    /// <summary>Whether <paramref name="groups"/> was computed from the tenant's current view (no invalidation since).</summary>
    public bool IsCurrent(string tenantId, TransitiveGroups groups) =>
        _tenants.TryGetValue(tenantId, out var view) && ReferenceEquals(view, groups.Source);

    /// <summary>Drops everything cached for the tenant: later reads refill from the grains.</summary>
    public void Invalidate(string tenantId) => _tenants[tenantId] = new View();

    /// <summary>Drops everything cached for every tenant (after this silo was frozen).</summary>
    public void InvalidateAll()
    {
        foreach (var tenantId in _tenants.Keys)
        {
            Invalidate(tenantId);
        }
    }

    public int Count(string tenantId) => _tenants.TryGetValue(tenantId, out var view) ? view.Groups.Count : 0;

    private static Task<Closure> GetAsync(View view, string groupId, Func<string, Task<PrincipalNode>> node, int depth)
    {
        if (view.Groups.TryGetValue(groupId, out var cached))
        {
            return cached;
        }

        if (view.Groups.Count >= MaxEntriesPerTenant)
        {
            view.Groups.Clear();
        }

        var fill = view.Groups.GetOrAdd(groupId, id => FillAsync(view, id, node, depth));
        _ = fill.ContinueWith(t => view.Groups.TryRemove(new(groupId, t)), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        return fill;
    }

    private static async Task<Closure> FillAsync(View view, string groupId, Func<string, Task<PrincipalNode>> node, int depth)
    {
        // The graph is acyclic (cycles are refused when nesting); the bound only guards the recursion.
        if (depth > Closure.MaxDepth)
        {
            throw new InvalidOperationException($"group nesting deeper than {Closure.MaxDepth} levels above {groupId}");
        }

        await Task.Yield();
        var self = await node(groupId);
        if (!self.IsLive)
        {
            return Closure.Empty;
        }

        var parents = await Task.WhenAll(self.MemberOf.Select(p => GetAsync(view, p, node, depth + 1)));
        var groups = new Dictionary<string, PrincipalNode>(StringComparer.Ordinal) { [groupId] = self };
        foreach (var parent in parents)
        {
            foreach (var (id, n) in parent.Groups)
            {
                groups.TryAdd(id, n);
            }
        }

        return new Closure(groups);
    }

    private sealed class View
    {
        public ConcurrentDictionary<string, Task<Closure>> Groups { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>
/// A principal's transitive groups with their nodes, and the closure view they were computed from
/// (valid while <see cref="ClosureCache.IsCurrent"/>). The id lists the sign-in calls answer are
/// computed once, on first use.
/// </summary>
public sealed class TransitiveGroups(object source, IReadOnlyDictionary<string, PrincipalNode> groups)
{
    private ImmutableArray<string> _all;
    private ImmutableArray<string> _securityEnabled;

    public object Source { get; } = source;

    public IReadOnlyDictionary<string, PrincipalNode> Groups { get; } = groups;

    /// <summary>The group ids, ordered, optionally only security-enabled ones.</summary>
    public ImmutableArray<string> Ids(bool securityEnabledOnly)
    {
        // Racing first uses compute the same list; the last write wins harmlessly.
        ref var ids = ref securityEnabledOnly ? ref _securityEnabled : ref _all;
        if (ids.IsDefault)
        {
            ids = [.. Groups.Where(g => !securityEnabledOnly || g.Value.Enabled).Select(g => g.Key).Order(StringComparer.Ordinal)];
        }

        return ids;
    }
}

/// <summary>A group and every live group above it, with their nodes; empty for a group that is not live.</summary>
public sealed record Closure(IReadOnlyDictionary<string, PrincipalNode> Groups)
{
    public const int MaxDepth = 1000;

    public static readonly Closure Empty = new(new Dictionary<string, PrincipalNode>());
}
