using System.Collections.Immutable;
using System.Text.Json.Nodes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Scim.Errors;

namespace DirectoryService.Scim.Groups;

/// <summary>
/// Groups between the directory model and SCIM (core Group schema). SCIM writes the display name and
/// external id; the description, mail nickname, owners and security flag are never touched by a
/// SCIM write. Groups created over SCIM are security-enabled, so they count in sign-in answers
/// asked for security groups only (what identity providers provision them for).
/// </summary>
public static class ScimGroupMapping
{
    public static readonly ImmutableArray<string> Mapped = [DomainFields.DisplayName, DomainFields.ExternalId];

    public static JsonObject ToScim(GroupView view, string location, IReadOnlyList<ObjectRef>? members, Func<ObjectRef, string> memberLocation)
    {
        var group = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.Group),
            ["id"] = view.Id,
            ["displayName"] = view.Profile.DisplayName,
        };
        if (view.Profile.ExternalId.Length > 0)
        {
            group["externalId"] = view.Profile.ExternalId;
        }

        if (members is not null)
        {
            group["members"] = new JsonArray([.. members.Select(m => new JsonObject
            {
                ["value"] = m.Id,
                ["type"] = m.Kind == ObjectKind.Group ? "Group" : "User",
                ["$ref"] = memberLocation(m),
            })]);
        }

        group["meta"] = new JsonObject
        {
            ["resourceType"] = "Group",
            ["created"] = view.CreatedAt.ToString("O"),
            ["lastModified"] = (view.ModifiedAt ?? view.CreatedAt).ToString("O"),
            ["location"] = location,
            ["version"] = view.ETag,
        };
        return group;
    }

    /// <summary>The display name and external id a SCIM group describes, over the rest of <paramref name="current"/>.</summary>
    public static GroupProfile FromScim(JsonObject group, GroupProfile current)
    {
        var display = ScimJson.String(group, "displayName") ?? "";
        if (display.Length == 0)
        {
            throw ScimException.InvalidValue("displayName is required");
        }

        return current with { DisplayName = display, ExternalId = ScimJson.String(group, "externalId") ?? "" };
    }

    public static ImmutableArray<string> Changed(GroupProfile current, GroupProfile updated) =>
        [.. Mapped.Where(f => f == DomainFields.DisplayName ? current.DisplayName != updated.DisplayName : current.ExternalId != updated.ExternalId)];

    /// <summary>The member ids a <c>members</c> value names: an array of <c>{"value": id}</c> (or one such object).</summary>
    public static List<string> MemberIds(JsonNode? value) =>
        (value is JsonArray array ? array.AsEnumerable() : [value])
            .Where(v => v is not null)
            .Select(v => v is JsonObject o ? ScimJson.String(o, "value") : v is JsonValue s && s.TryGetValue<string>(out var id) ? id : null)
            .Select(id => id is not null && Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : throw ScimException.InvalidValue($"members: '{id}' is not the id of a user or group"))
            .Distinct()
            .ToList();
}
