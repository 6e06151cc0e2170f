using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Users;

/// <summary>Validation and update-mask application for user profiles; field names are the API's.</summary>
public static partial class UserProfileRules
{
    private const string ExtensionPrefix = "extensionAttributes.";

    private static readonly FrozenSet<string> Updatable = FrozenSet.Create(StringComparer.Ordinal,
        "userPrincipalName", "displayName", "givenName", "surname", "mail", "mailNickname",
        "department", "jobTitle", "employeeId", "externalId", "managerId", "accountEnabled", "extensionAttributes");

    /// <summary>Checks every property; the UPN's domain only when <paramref name="verifiedDomains"/> is given.</summary>
    public static void Validate(UserProfile profile, IReadOnlyCollection<string>? verifiedDomains)
    {
        UserPrincipalName.Validate(profile.UserPrincipalName, DomainFields.UserPrincipalName, verifiedDomains);
        FieldRules.Text(profile.DisplayName, DomainFields.DisplayName, required: true);
        FieldRules.Text(profile.GivenName, DomainFields.GivenName);
        FieldRules.Text(profile.Surname, DomainFields.Surname);
        FieldRules.Text(profile.Mail, DomainFields.Mail);
        if (profile.Mail.Length > 0 && !MailShape().IsMatch(profile.Mail))
        {
            throw DirectoryException.Invalid(DomainFields.Mail, "must be an address of the form local@domain");
        }

        FieldRules.Text(profile.MailNickname, DomainFields.MailNickname);
        FieldRules.Text(profile.Department, DomainFields.Department);
        FieldRules.Text(profile.JobTitle, DomainFields.JobTitle);
        FieldRules.Text(profile.EmployeeId, DomainFields.EmployeeId);
        FieldRules.Text(profile.ExternalId, DomainFields.ExternalId);
        if (profile.ManagerId.Length > 0)
        {
            Identifiers.ObjectId(profile.ManagerId, DomainFields.Manager);
        }
        ValidateExtensions(profile.ExtensionAttributes);
    }

    /// <summary>Whether two profiles hold the same values (records compare collections by reference).</summary>
    public static bool Same(UserProfile a, UserProfile b) =>
        a with { ExtensionAttributes = ImmutableDictionary<string, string>.Empty } == b with { ExtensionAttributes = ImmutableDictionary<string, string>.Empty }
        && a.ExtensionAttributes.Count == b.ExtensionAttributes.Count
        && a.ExtensionAttributes.All(kv => b.ExtensionAttributes.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Returns <paramref name="current"/> with the masked fields taken from <paramref name="changes"/>.</summary>
    public static UserProfile Apply(UserProfile current, UserProfile changes, ImmutableArray<string> mask)
    {
        FieldRules.Mask(mask, Updatable, ExtensionPrefix);
        var extensions = FieldRules.Pick(mask, "extensionAttributes", current.ExtensionAttributes, changes.ExtensionAttributes);
        foreach (var path in mask.Where(p => p.StartsWith(ExtensionPrefix, StringComparison.Ordinal)))
        {
            var key = path[ExtensionPrefix.Length..];
            extensions = changes.ExtensionAttributes.TryGetValue(key, out var value)
                ? extensions.SetItem(key, value)
                : extensions.Remove(key);
        }

        return new UserProfile
        {
            UserPrincipalName = FieldRules.Pick(mask, "userPrincipalName", current.UserPrincipalName, changes.UserPrincipalName),
            DisplayName = FieldRules.Pick(mask, "displayName", current.DisplayName, changes.DisplayName),
            GivenName = FieldRules.Pick(mask, "givenName", current.GivenName, changes.GivenName),
            Surname = FieldRules.Pick(mask, "surname", current.Surname, changes.Surname),
            Mail = FieldRules.Pick(mask, "mail", current.Mail, changes.Mail),
            MailNickname = FieldRules.Pick(mask, "mailNickname", current.MailNickname, changes.MailNickname),
            Department = FieldRules.Pick(mask, "department", current.Department, changes.Department),
            JobTitle = FieldRules.Pick(mask, "jobTitle", current.JobTitle, changes.JobTitle),
            EmployeeId = FieldRules.Pick(mask, "employeeId", current.EmployeeId, changes.EmployeeId),
            AccountEnabled = FieldRules.Pick(mask, "accountEnabled", current.AccountEnabled, changes.AccountEnabled),
            ExternalId = FieldRules.Pick(mask, "externalId", current.ExternalId, changes.ExternalId),
            ManagerId = FieldRules.Pick(mask, "managerId", current.ManagerId, changes.ManagerId),
            ExtensionAttributes = extensions,
        };
    }

    private static void ValidateExtensions(ImmutableDictionary<string, string> attributes)
    {
        if (attributes.Count > Limits.MaxExtensionAttributes)
        {
            throw DirectoryException.Invalid(DomainFields.ExtensionAttributes, $"must have at most {Limits.MaxExtensionAttributes} entries, got {attributes.Count}");
        }

        foreach (var (key, value) in attributes)
        {
            if (!ExtensionKey().IsMatch(key))
            {
                throw DirectoryException.Invalid(DomainFields.ExtensionAttributes, $"key '{Truncate(key)}' must be 1..{Limits.MaxExtensionKeyLength} letters, digits, '_' or '.'");
            }

            FieldRules.Text(value, new ErrorField(DomainFields.ExtensionAttributes, Key: key));
        }
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex("^[A-Za-z0-9_.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionKey();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MailShape();
}
