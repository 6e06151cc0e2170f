using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Groups;
using DirectoryService.Grains.Users;

namespace DirectoryService.Grains.Import;

/// <summary>
/// Binds, before a batch runs, the unique keys of the objects it will create — each new user's
/// principal name and external id, each new group's external id — to the ids the batch minted for
/// them, one write per key bucket for all the batch's keys in it (<see cref="UniqueKeys.BindUnboundAsync"/>)
/// instead of one insert per key: a key's row lives where a lookup by the key alone finds it, so the
/// keys of one create never share a storage partition, but those of a large batch share buckets.
/// <para>
/// Each create's own reservation then finds its keys bound to it and writes nothing. Only keys bound
/// to no object are taken, the first record's claim of a key winning, and only for records whose
/// fields are valid; a record that is still rejected (a domain the tenant has not verified, say)
/// leaves its keys bound to an id no object holds, which the next taker of the key takes over, as
/// after any create that failed. A record never sees its keys bound ahead as taken: the resolver
/// reads a key bound to an id of the batch not yet used as bound to nothing
/// (<see cref="ExternalIdResolver.FindAsync"/>).
/// </para>
/// </summary>
public sealed class KeysAhead(IGrainFactory grains, string tenantId, ExternalIdResolver resolver)
{
    /// <summary>Binds the keys of the batch's creates (<see cref="ExternalIdResolver.PlannedId"/>: planned by <c>PlanAsync</c>); returns how many it bound.</summary>
    public Task<int> BindAsync(ImportBatch batch) =>
        UniqueKeys.BindUnboundAsync(grains, tenantId, [.. UserClaims(batch), .. GroupClaims(batch)]);

    private IEnumerable<KeyClaim> UserClaims(ImportBatch batch)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in batch.Users)
        {
            var externalId = user.Profile.ExternalId;
            if (seen.Add(externalId) && resolver.PlannedId(ObjectKind.User, externalId) is { } id
                && Valid(() => Validated(user.Profile with { ManagerId = "" })) is not null)
            {
                yield return new KeyClaim(new TenantKey(UniqueKeyKind.UserExternalId, externalId), id);
                yield return new KeyClaim(new TenantKey(UniqueKeyKind.PrincipalName, UserPrincipalName.Key(user.Profile.UserPrincipalName)), id);
            }
        }
    }

    private IEnumerable<KeyClaim> GroupClaims(ImportBatch batch)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in batch.Groups)
        {
            var externalId = group.Profile.ExternalId;
            if (seen.Add(externalId) && resolver.PlannedId(ObjectKind.Group, externalId) is { } id
                && Valid(() => GroupProfileRules.Normalize(group.Profile))?.ExternalId == externalId)
            {
                yield return new KeyClaim(new TenantKey(UniqueKeyKind.GroupExternalId, externalId), id);
            }
        }
    }

    private static UserProfile Validated(UserProfile profile)
    {
        UserProfileRules.Validate(profile, verifiedDomains: null);
        return profile;
    }

    /// <summary>The record's profile as its create would take it, or null if the create would refuse its fields.</summary>
    private static T? Valid<T>(Func<T> check)
        where T : class
    {
        try
        {
            return check();
        }
        catch (DirectoryException)
        {
            return null;
        }
    }
}
