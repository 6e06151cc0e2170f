using System.Collections.Frozen;
using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>Validation and update-mask application for group profiles.</summary>
public static class GroupProfileRules
{
    private static readonly FrozenSet<string> Updatable = FrozenSet.Create(StringComparer.Ordinal,
        "displayName", "description", "mailNickname", "securityEnabled", "ownerIds", "externalId");

    /// <summary>Checks every property and returns the profile with owner ids canonical and de-duplicated.</summary>
    public static GroupProfile Normalize(GroupProfile profile)
    {
        FieldRules.Text(profile.DisplayName, DomainFields.DisplayName, required: true);
        FieldRules.Text(profile.Description, DomainFields.Description);
        FieldRules.Text(profile.MailNickname, DomainFields.MailNickname);
        FieldRules.Text(profile.ExternalId, DomainFields.ExternalId);
        var owners = profile.OwnerIds.IsDefault ? [] : profile.OwnerIds;
        if (owners.Length > Limits.MaxOwners)
        {
            throw DirectoryException.Invalid(DomainFields.Owner, $"must name at most {Limits.MaxOwners} owners, got {owners.Length}");
        }

        var canonical = owners.Select((id, i) => Identifiers.ObjectId(id, new ErrorField(DomainFields.Owner, i)));
        return profile with { OwnerIds = [.. canonical.Distinct(StringComparer.Ordinal)] };
    }

    /// <summary>Whether two profiles hold the same values (records compare collections by reference).</summary>
    public static bool Same(GroupProfile a, GroupProfile b) =>
        a with { OwnerIds = [] } == b with { OwnerIds = [] } && a.OwnerIds.SequenceEqual(b.OwnerIds);

    public static GroupProfile Apply(GroupProfile current, GroupProfile changes, ImmutableArray<string> mask)
    {
        FieldRules.Mask(mask, Updatable);
        return new GroupProfile
        {
            DisplayName = FieldRules.Pick(mask, "displayName", current.DisplayName, changes.DisplayName),
            Description = FieldRules.Pick(mask, "description", current.Description, changes.Description),
            MailNickname = FieldRules.Pick(mask, "mailNickname", current.MailNickname, changes.MailNickname),
            SecurityEnabled = FieldRules.Pick(mask, "securityEnabled", current.SecurityEnabled, changes.SecurityEnabled),
            OwnerIds = FieldRules.Pick(mask, "ownerIds", current.OwnerIds, changes.OwnerIds),
            ExternalId = FieldRules.Pick(mask, "externalId", current.ExternalId, changes.ExternalId),
        };
    }
}
