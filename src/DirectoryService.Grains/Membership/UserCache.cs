using System.Collections.Concurrent;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Users;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// This silo's cache of live users as last stored — profile view, enabled flag and direct groups —
/// found by id or by principal name, with the transitive groups last computed from the
/// <see cref="ClosureCache"/>. A warm sign-in or user lookup is answered from here without a grain call.
/// <para>
/// Exactness: a user grain records which silos read its snapshot for caching, and after storing any
/// change, before acknowledging it, tells those silos to drop the user (every silo, for the first
/// change of an activation, since it cannot know who read from earlier activations). A fill records
/// the tenant's invalidation count before it reads the user and stores its entry only if no
/// invalidation of the tenant arrived meanwhile (checked and stored under the same lock an
/// invalidation takes), so an entry read before a change is never kept past that change's
/// invalidation. Transitive groups are kept with the closure view they were computed from and used
/// only while that view is current.
/// </para>
/// </summary>
public sealed class UserCache
{
    /// <summary>Most cached users per tenant on one silo; past it the tenant's entries start over.</summary>
    public const int MaxEntriesPerTenant = 500_000;

    private readonly ConcurrentDictionary<string, View> _tenants = new(StringComparer.Ordinal);

    public UserEntry? ById(string tenantId, string userId) =>
        _tenants.TryGetValue(tenantId, out var view) && view.ById.TryGetValue(userId, out var entry) ? entry : null;

    public UserEntry? ByName(string tenantId, string userPrincipalName) =>
        _tenants.TryGetValue(tenantId, out var view) && view.ByName.TryGetValue(UserPrincipalName.Key(userPrincipalName), out var entry) ? entry : null;

    /// <summary>Taken before a fill reads the user; <see cref="Store"/> keeps the entry only if it is unchanged.</summary>
    public long Invalidations(string tenantId) => Interlocked.Read(ref Tenant(tenantId).Invalidations);

    /// <summary>Keeps a filled entry unless an invalidation of the tenant arrived since <paramref name="invalidations"/> was taken.</summary>
    public bool Store(string tenantId, long invalidations, UserEntry entry)
    {
        var view = Tenant(tenantId);
        lock (view)
        {
            if (view.Invalidations != invalidations)
            {
                return false;
            }

            if (view.ById.Count >= MaxEntriesPerTenant)
            {
                view.ById.Clear();
                view.ByName.Clear();
            }

            if (view.ById.TryGetValue(entry.UserId, out var old))
            {
                view.ByName.TryRemove(new(old.NameKey, old));
            }

            view.ById[entry.UserId] = entry;
            view.ByName[entry.NameKey] = entry;
            return true;
        }
    }

    /// <summary>Drops every cached user of every tenant (after this silo was frozen); fills in progress will not store.</summary>
    public void InvalidateAll()
    {
        foreach (var view in _tenants.Values)
        {
            lock (view)
            {
                view.Invalidations++;
                view.ById.Clear();
                view.ByName.Clear();
            }
        }
    }

    /// <summary>Drops the user; fills that began before this call will not store what they read.</summary>
    public void Invalidate(string tenantId, string userId)
    {
        var view = Tenant(tenantId);
        lock (view)
        {
            view.Invalidations++;
            if (view.ById.TryRemove(userId, out var entry))
            {
                view.ByName.TryRemove(new(entry.NameKey, entry));
            }
        }
    }

    public int Count(string tenantId) => _tenants.TryGetValue(tenantId, out var view) ? view.ById.Count : 0;

    private View Tenant(string tenantId) => _tenants.GetOrAdd(tenantId, _ => new View());

    private sealed class View
    {
        public long Invalidations;

        public ConcurrentDictionary<string, UserEntry> ById { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, UserEntry> ByName { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>One cached live user: its stored snapshot and, once computed, its transitive groups.</summary>
public sealed class UserEntry(string userId, SignInSubject subject)
{
    public string UserId { get; } = userId;

    public string NameKey { get; } = UserPrincipalName.Key(subject.UserPrincipalName);

    public SignInSubject Subject { get; } = subject;

    public UserView View { get; } = subject.View ?? throw new ArgumentException("only existing users are cached", nameof(subject));

    /// <summary>The transitive groups with the closure view they came from; replaced when that view is no longer current.</summary>
    public TransitiveGroups? Groups { get; set; }
}
