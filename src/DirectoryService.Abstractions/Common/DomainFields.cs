namespace DirectoryService.Abstractions.Common;

/// <summary>
/// The names domain errors give the fields of the directory model, in the model's own terms (as
/// Microsoft Graph spells them). Singular names denote references (<c>member</c>, <c>owner</c>): an
/// error about one item of a list carries its index.
/// </summary>
public static class DomainFields
{
    /// <summary>The id of the object the call acts on.</summary>
    public const string Id = "id";
    public const string ETag = "etag";
    public const string UpdateMask = "updateMask";

    /// <summary>The caller's tenant, or the tenant an operator call names.</summary>
    public const string Tenant = "tenant";

    public const string UserPrincipalName = "userPrincipalName";
    public const string DisplayName = "displayName";
    public const string GivenName = "givenName";
    public const string Surname = "surname";
    public const string Mail = "mail";
    public const string MailNickname = "mailNickname";
    public const string Department = "department";
    public const string JobTitle = "jobTitle";
    public const string EmployeeId = "employeeId";
    public const string AccountEnabled = "accountEnabled";
    public const string ExtensionAttributes = "extensionAttributes";
    public const string ExternalId = "externalId";
    public const string Description = "description";
    public const string SecurityEnabled = "securityEnabled";
    public const string VerifiedDomains = "verifiedDomains";

    /// <summary>A user's manager (another user).</summary>
    public const string Manager = "manager";

    /// <summary>An owner of a group (a user).</summary>
    public const string Owner = "owner";

    /// <summary>The group a membership call acts on.</summary>
    public const string Group = "group";

    /// <summary>A member being added to or removed from a group.</summary>
    public const string Member = "member";

    /// <summary>The user or group whose memberships are asked about.</summary>
    public const string Principal = "principal";
}
