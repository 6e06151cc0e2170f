namespace DirectoryService.Security;

/// <summary>
/// The permissions a caller's token can carry (in <c>roles</c> for applications, <c>scp</c> for
/// delegated access), modelled on Microsoft Graph's.
/// </summary>
public static class Permissions
{
    public const string DirectoryRead = "Directory.Read.All";
    public const string DirectoryReadWrite = "Directory.ReadWrite.All";
    public const string UserRead = "User.Read.All";
    public const string GroupRead = "Group.Read.All";

    /// <summary>What a sign-in service needs: sign-in resolution and membership reads, nothing else.</summary>
    public const string GroupMemberRead = "GroupMember.Read.All";

    /// <summary>Reading the tenant's audit log.</summary>
    public const string AuditRead = "AuditLog.Read.All";

    /// <summary>Tenant lifecycle: an operator's, across tenants.</summary>
    public const string Operator = "Directory.Operator";

    public static readonly IReadOnlyList<string> All = [DirectoryRead, DirectoryReadWrite, UserRead, GroupRead, GroupMemberRead, AuditRead, Operator];
}

/// <summary>The claims the service reads from a token.</summary>
public static class DirectoryClaims
{
    /// <summary>The tenant the caller acts in (Entra's <c>tid</c>).</summary>
    public const string Tenant = "tid";
    public const string Roles = "roles";
    public const string Scopes = "scp";
    public const string Subject = "sub";

    /// <summary>The calling application (Entra's <c>azp</c>).</summary>
    public const string App = "azp";
}
