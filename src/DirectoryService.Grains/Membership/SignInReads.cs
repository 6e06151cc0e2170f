using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Users;

namespace DirectoryService.Grains.Membership;

/// <summary>
/// The sign-in reads on this silo. A warm sign-in is two dictionary lookups: the user by name in the
/// <see cref="UserCache"/>, then its transitive groups kept with the entry while the
/// <see cref="ClosureCache"/> view they came from is current. A cold one asks the name's key bucket for
/// the holder and the user grain for its stored snapshot (registering this silo as a reader, so the
/// user's next change drops the entry here first), and merges the cached closures of its direct groups.
/// While this silo's <see cref="ReadLease"/> is not fresh nothing cached is answered: each read asks
/// the grains, as a cold one does, for the user and every group above it.
/// </summary>
public sealed class SignInReads(IGrainFactory grains, ClosureCache closures, UserCache users, ReadLease lease, ILocalSiloDetails silo, SignInMetrics metrics) : ISignInReads
{
    private const string NameField = DomainFields.UserPrincipalName;
    private const string PrincipalField = DomainFields.Principal;

    public async ValueTask<SignInResolution> ResolveSignInAsync(string tenantId, string userPrincipalName, bool securityEnabledOnly, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var trusted = lease.Trusted;
        var cached = trusted ? users.ByName(tenantId, userPrincipalName) : null;
        metrics.UserLookup(cached is not null);
        var user = cached ?? await FillByNameAsync(tenantId, userPrincipalName);
        if (!user.Subject.Node.Enabled)
        {
            metrics.SignIn(cached is not null, started);
            return new SignInResolution(user.UserId, AccountEnabled: false, [], GroupsOverage: false);
        }

        var warm = cached is not null && user.Groups is { } kept && closures.IsCurrent(tenantId, kept);
        var resolution = GroupClaims.SignIn(user.UserId, await GroupsAsync(tenantId, user, trusted, NameField, cancellationToken), securityEnabledOnly);
        metrics.SignIn(warm, started);
        return resolution;
    }

    public async ValueTask<UserView> GetUserByPrincipalNameAsync(string tenantId, string userPrincipalName, CancellationToken cancellationToken) =>
        ((lease.Trusted ? users.ByName(tenantId, userPrincipalName) : null) ?? await FillByNameAsync(tenantId, userPrincipalName)).View;

    public async ValueTask<ImmutableArray<string>> GetMemberGroupsAsync(string tenantId, ObjectRef principal, bool securityEnabledOnly, CancellationToken cancellationToken) =>
        GroupClaims.MemberGroups(await TransitiveGroupsAsync(tenantId, principal, cancellationToken), securityEnabledOnly);

    public async ValueTask<ImmutableArray<string>> CheckMemberGroupsAsync(string tenantId, ObjectRef principal, ImmutableArray<string> groupIds, CancellationToken cancellationToken)
    {
        var groups = (await TransitiveGroupsAsync(tenantId, principal, cancellationToken)).Groups;
        return [.. groupIds.Where(groups.ContainsKey).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Every live group the principal belongs to; NOT_FOUND naming <c>principal.id</c> unless it is live.</summary>
    public async ValueTask<TransitiveGroups> TransitiveGroupsAsync(string tenantId, ObjectRef principal, CancellationToken cancellationToken)
    {
        var trusted = lease.Trusted;
        if (principal.Kind == ObjectKind.User)
        {
            var user = (trusted ? users.ById(tenantId, principal.Id) : null) ?? await FillAsync(tenantId, principal.Id, name: null, PrincipalField);
            return await GroupsAsync(tenantId, user, trusted, PrincipalField, cancellationToken);
        }

        var node = await grains.Principal(tenantId, principal).GetNodeAsync();
        return node.IsLive
            ? await closures.AncestorsAsync(tenantId, node.MemberOf, id => GroupNode(tenantId, id), Limits.MaxTraversalVisits, PrincipalField, cancellationToken, uncached: !trusted)
            : throw DirectoryException.NotFound(PrincipalField, "group");
    }

    /// <summary>The user's transitive groups: those kept with the entry if their closure view is still current, else merged afresh.</summary>
    private async ValueTask<TransitiveGroups> GroupsAsync(string tenantId, UserEntry user, bool trusted, ErrorField field, CancellationToken cancellationToken)
    {
        if (trusted && user.Groups is { } kept && closures.IsCurrent(tenantId, kept))
        {
            return kept;
        }

        var groups = await closures.AncestorsAsync(tenantId, user.Subject.Node.MemberOf, id => GroupNode(tenantId, id), Limits.MaxTraversalVisits, field, cancellationToken, uncached: !trusted);
        user.Groups = groups;
        return groups;
    }

    private async Task<UserEntry> FillByNameAsync(string tenantId, string userPrincipalName)
    {
        var holder = await UserPrincipalName.HolderAsync(grains, tenantId, userPrincipalName, NameField);
        return await FillAsync(tenantId, holder, userPrincipalName, NameField);
    }

    /// <summary>
    /// Reads the user's stored snapshot as a reader and caches it, unless a user of the tenant was
    /// invalidated meanwhile. NOT_FOUND naming <paramref name="field"/> unless the user is live (and,
    /// when looked up by <paramref name="name"/>, still holds it).
    /// </summary>
    private async Task<UserEntry> FillAsync(string tenantId, string userId, string? name, ErrorField field)
    {
        var invalidations = users.Invalidations(tenantId);
        var subject = await grains.User(tenantId, userId).GetSignInSubjectAsync(silo.SiloAddress);
        if (!subject.Node.IsLive || subject.View is null
            || (name is not null && UserPrincipalName.Key(subject.UserPrincipalName) != UserPrincipalName.Key(name)))
        {
            throw DirectoryException.NotFound(field, "user");
        }

        var entry = new UserEntry(userId, subject);
        users.Store(tenantId, invalidations, entry);
        return entry;
    }

    /// <summary>Fills this silo's closure of the group, so first sign-ins of its members need not (<see cref="ClosureWarmer"/>).</summary>
    public Task WarmGroupAsync(string tenantId, string groupId) => closures.WarmAsync(tenantId, groupId, id => GroupNode(tenantId, id));

    private Task<PrincipalNode> GroupNode(string tenantId, string id) => grains.Principal(tenantId, ObjectRef.Group(id)).GetNodeAsync();
}
