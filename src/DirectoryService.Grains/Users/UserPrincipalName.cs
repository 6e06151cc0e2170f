using System.Text.RegularExpressions;
using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Users;

/// <summary>
/// The rules of a user principal name: <c>local@domain</c>, the domain one of the tenant's verified
/// domains, compared without regard to case.
/// </summary>
public static partial class UserPrincipalName
{
    /// <summary>The form names are compared and keyed in.</summary>
    public static string Key(string upn) => upn.ToLowerInvariant();

    /// <summary>The binding of the name (in its compared form) to one user of the tenant.</summary>
    public static KeyBinder Index(IGrainFactory grains, string tenantId, string upn) =>
        UniqueKeys.Binder(grains, tenantId, new TenantKey(UniqueKeyKind.PrincipalName, Key(upn)));

    /// <summary>The id of the user the name is bound to, or NOT_FOUND naming <paramref name="field"/>.</summary>
    public static async Task<string> HolderAsync(IGrainFactory grains, string tenantId, string upn, ErrorField field) =>
        await Index(grains, tenantId, upn).GetOwnerAsync() ?? throw DirectoryException.NotFound(field, "user");

    /// <summary>Checks the shape and, when <paramref name="verifiedDomains"/> is given, the domain.</summary>
    public static void Validate(string upn, ErrorField field, IReadOnlyCollection<string>? verifiedDomains)
    {
        if (string.IsNullOrEmpty(upn))
        {
            throw DirectoryException.Invalid(field, "is required");
        }

        if (upn.Length > Limits.MaxStringLength)
        {
            throw DirectoryException.Invalid(field, $"must be at most {Limits.MaxStringLength} characters");
        }

        var at = upn.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != upn.LastIndexOf('@') || at == upn.Length - 1)
        {
            throw DirectoryException.Invalid(field, "must have the form local@domain");
        }

        var local = upn[..at];
        if (local.Length > Limits.MaxUpnLocalPartLength || !LocalPart().IsMatch(local)
            || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            throw DirectoryException.Invalid(field,
                $"local part must be 1..{Limits.MaxUpnLocalPartLength} of letters, digits and ' . - _ ! # ^ ~, not starting or ending with '.' and without '..'");
        }

        var domain = upn[(at + 1)..];
        if (verifiedDomains is not null && !verifiedDomains.Contains(domain, StringComparer.OrdinalIgnoreCase))
        {
            throw DirectoryException.Invalid(field, $"domain '{domain}' is not a verified domain of the tenant");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9'._!#^~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalPart();
}
