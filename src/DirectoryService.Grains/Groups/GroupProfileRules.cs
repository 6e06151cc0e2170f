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
        "display_name", "description", "mail_nickname", "security_enabled", "owner_ids");

    /// <summary>Checks every property and returns the profile with owner ids canonical and de-duplicated.</summary>
    public static GroupProfile Normalize(GroupProfile profile, string prefix = "group")
    {
        FieldRules.Text(profile.DisplayName, $"{prefix}.display_name", required: true);
        FieldRules.Text(profile.Description, $"{prefix}.description");
        FieldRules.Text(profile.MailNickname, $"{prefix}.mail_nickname");
        var owners = profile.OwnerIds.IsDefault ? [] : profile.OwnerIds;
        if (owners.Length > Limits.MaxOwners)
        {
            throw DirectoryException.Invalid($"{prefix}.owner_ids", $"must name at most {Limits.MaxOwners} owners, got {owners.Length}");
        }

        var canonical = owners.Select((id, i) => Identifiers.ObjectId(id, $"{prefix}.owner_ids[{i}]"));
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
            DisplayName = FieldRules.Pick(mask, "display_name", current.DisplayName, changes.DisplayName),
            Description = FieldRules.Pick(mask, "description", current.Description, changes.Description),
            MailNickname = FieldRules.Pick(mask, "mail_nickname", current.MailNickname, changes.MailNickname),
            SecurityEnabled = FieldRules.Pick(mask, "security_enabled", current.SecurityEnabled, changes.SecurityEnabled),
            OwnerIds = FieldRules.Pick(mask, "owner_ids", current.OwnerIds, changes.OwnerIds),
        };
    }
}
