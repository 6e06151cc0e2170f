using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Membership;

/// <summary>Turns a principal's transitive groups into the answers of the sign-in calls, with their limits.</summary>
public static class GroupClaims
{
    /// <summary>GetMemberGroups: every id, or FAILED_PRECONDITION beyond the Graph limit.</summary>
    public static ImmutableArray<string> MemberGroups(TransitiveGroups groups, bool securityEnabledOnly)
    {
        var ids = groups.Ids(securityEnabledOnly);
        if (ids.Length > Limits.MaxMemberGroups)
        {
            throw DirectoryException.Precondition(DomainFields.Principal,
                $"belongs to {ids.Length} groups, more than {Limits.MaxMemberGroups}; page through Members.ListTransitiveMemberOf instead");
        }

        return ids;
    }

    /// <summary>A token's groups claim: up to 200 ids, else none and the overage flag (the JWT convention).</summary>
    public static SignInResolution SignIn(string userId, TransitiveGroups groups, bool securityEnabledOnly)
    {
        var ids = groups.Ids(securityEnabledOnly);
        return ids.Length > Limits.GroupsClaimLimit
            ? new SignInResolution(userId, true, [], GroupsOverage: true)
            : new SignInResolution(userId, true, ids, GroupsOverage: false);
    }
}
