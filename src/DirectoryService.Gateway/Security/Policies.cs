using DirectoryService.Security;
using Microsoft.AspNetCore.Authorization;
using System.Security.Claims;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// The authorization policies, one per group of RPCs, each naming the permissions that allow it.
/// docs/security.md holds the same table, and the gateway tests check every RPC against it.
/// </summary>
public static class Policies
{
    public const string TenantsManage = "tenants.manage";
    public const string UsersRead = "users.read";
    public const string UsersWrite = "users.write";
    public const string GroupsRead = "groups.read";
    public const string GroupsWrite = "groups.write";
    public const string MembersRead = "members.read";
    public const string MembersWrite = "members.write";
    public const string SignIn = "signin";
    public const string AuditRead = "audit.read";
    public const string Import = "import";

    /// <summary>Following a change feed of either kind; the service then requires the kind's read policy (<see cref="Allows"/>).</summary>
    public const string ChangesWatch = "changes.watch";

    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        [TenantsManage] = [Permissions.Operator],
        [UsersRead] = [Permissions.UserRead, Permissions.DirectoryRead, Permissions.DirectoryReadWrite],
        [UsersWrite] = [Permissions.DirectoryReadWrite],
        [GroupsRead] = [Permissions.GroupRead, Permissions.DirectoryRead, Permissions.DirectoryReadWrite],
        [GroupsWrite] = [Permissions.DirectoryReadWrite],
        [MembersRead] = [Permissions.GroupMemberRead, Permissions.GroupRead, Permissions.DirectoryRead, Permissions.DirectoryReadWrite],
        [MembersWrite] = [Permissions.DirectoryReadWrite],
        [SignIn] = [Permissions.GroupMemberRead, Permissions.DirectoryRead, Permissions.DirectoryReadWrite],
        [AuditRead] = [Permissions.AuditRead],
        [Import] = [Permissions.DirectoryReadWrite],
        [ChangesWatch] = [Permissions.UserRead, Permissions.GroupRead, Permissions.DirectoryRead, Permissions.DirectoryReadWrite],
    };

    public static AuthorizationBuilder AddDirectoryPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (name, permissions) in Allowed)
        {
            builder.AddPolicy(name, policy => policy.RequireAuthenticatedUser().RequireAssertion(c => HasAny(c.User, permissions)));
        }

        return builder;
    }

    /// <summary>The directory permissions a caller holds: application permissions arrive as <c>roles</c> claims, delegated ones in the space-separated <c>scp</c> claim.</summary>
    public static IEnumerable<string> Granted(ClaimsPrincipal user) =>
        user.FindAll(DirectoryClaims.Roles).Select(c => c.Value)
            .Concat(user.FindAll(DirectoryClaims.Scopes).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(Permissions.All.Contains).Distinct();

    /// <summary>Whether the caller holds a permission the policy allows.</summary>
    public static bool Allows(ClaimsPrincipal user, string policy) => HasAny(user, Allowed[policy]);

    private static bool HasAny(ClaimsPrincipal user, string[] permissions) => Granted(user).Any(permissions.Contains);
}
