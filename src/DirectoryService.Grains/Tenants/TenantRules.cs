using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tenants;

/// <summary>Validation and update-mask application for tenants.</summary>
public static partial class TenantRules
{
    private static readonly FrozenSet<string> Updatable = FrozenSet.Create(StringComparer.Ordinal, "displayName", "verifiedDomains");

    /// <summary>Checks the spec and returns it with domains lower-cased and de-duplicated.</summary>
    public static TenantSpec Normalize(TenantSpec spec)
    {
        FieldRules.Text(spec.DisplayName, DomainFields.DisplayName, required: true);
        var domains = spec.VerifiedDomains.IsDefault ? [] : spec.VerifiedDomains;
        if (domains.Length == 0)
        {
            throw DirectoryException.Invalid(DomainFields.VerifiedDomains, "must name at least one domain");
        }

        if (domains.Length > Limits.MaxVerifiedDomains)
        {
            throw DirectoryException.Invalid(DomainFields.VerifiedDomains, $"must name at most {Limits.MaxVerifiedDomains} domains");
        }

        for (var i = 0; i < domains.Length; i++)
        {
            if (domains[i].Length > 253 || !DomainName().IsMatch(domains[i]))
            {
                throw DirectoryException.Invalid(new ErrorField(DomainFields.VerifiedDomains, i), $"'{domains[i]}' is not a DNS name such as contoso.com");
            }
        }

        return spec with { VerifiedDomains = [.. domains.Select(d => d.ToLowerInvariant()).Distinct(StringComparer.Ordinal)] };
    }

    public static TenantSpec Apply(TenantSpec current, TenantSpec changes, ImmutableArray<string> mask)
    {
        FieldRules.Mask(mask, Updatable);
        return new TenantSpec
        {
            DisplayName = FieldRules.Pick(mask, "displayName", current.DisplayName, changes.DisplayName),
            VerifiedDomains = FieldRules.Pick(mask, "verifiedDomains", current.VerifiedDomains, changes.VerifiedDomains),
        };
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainName();
}
