using System.Collections.Immutable;
using System.Text.Json.Nodes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Scim.Errors;

namespace DirectoryService.Scim.Users;

/// <summary>
/// Users between the directory model and SCIM (core User schema and the enterprise extension).
/// Attributes the model does not hold are accepted and ignored (RFC 7643); the model's properties
/// SCIM has no attribute for (mail nickname, extension attributes) are never touched by a SCIM write.
/// </summary>
public static class ScimUserMapping
{
    /// <summary>The profile properties a SCIM user writes, by domain name (update masks).</summary>
    public static readonly ImmutableArray<string> Mapped =
    [
        DomainFields.UserPrincipalName, DomainFields.DisplayName, DomainFields.GivenName, DomainFields.Surname, DomainFields.Mail,
        DomainFields.JobTitle, DomainFields.EmployeeId, DomainFields.Department, DomainFields.AccountEnabled, DomainFields.ExternalId,
        "managerId",
    ];

    public static JsonObject ToScim(UserView view, string location) => ToScim(view, location, null);

    /// <summary>The user as SCIM JSON; <paramref name="managerLocation"/> gives the manager's <c>$ref</c>.</summary>
    public static JsonObject ToScim(UserView view, string location, Func<string, string>? managerLocation)
    {
        var p = view.Profile;
        var user = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.User, ScimSchemas.EnterpriseUser),
            ["id"] = view.Id,
        };
        Set(user, "externalId", p.ExternalId);
        user["userName"] = p.UserPrincipalName;
        var name = new JsonObject();
        Set(name, "givenName", p.GivenName);
        Set(name, "familyName", p.Surname);
        if (name.Count > 0)
        {
            user["name"] = name;
        }

        Set(user, "displayName", p.DisplayName);
        Set(user, "title", p.JobTitle);
        user["active"] = p.AccountEnabled;
        if (p.Mail.Length > 0)
        {
            user["emails"] = new JsonArray(new JsonObject { ["value"] = p.Mail, ["type"] = "work", ["primary"] = true });
        }

        var enterprise = new JsonObject();
        Set(enterprise, "employeeNumber", p.EmployeeId);
        Set(enterprise, "department", p.Department);
        if (p.ManagerId.Length > 0)
        {
            enterprise["manager"] = new JsonObject { ["value"] = p.ManagerId, ["$ref"] = managerLocation?.Invoke(p.ManagerId) ?? location[..location.LastIndexOf('/')] + "/" + p.ManagerId };
        }
        if (enterprise.Count > 0)
        {
            user[ScimSchemas.EnterpriseUser] = enterprise;
        }
        user["meta"] = new JsonObject
        {
            ["resourceType"] = "User",
            ["created"] = view.CreatedAt.ToString("O"),
            ["lastModified"] = (view.ModifiedAt ?? view.CreatedAt).ToString("O"),
            ["location"] = location,
            ["version"] = view.ETag,
        };
        return user;
    }

    /// <summary>
    /// The profile a SCIM user describes. Absent attributes are empty (a PUT or PATCH that leaves one
    /// out clears it), except <c>active</c>, which stays <paramref name="enabledWhenAbsent"/>.
    /// </summary>
    public static UserProfile FromScim(JsonObject user, bool enabledWhenAbsent)
    {
        var name = ScimJson.Get(user, "name") as JsonObject;
        var enterprise = ScimJson.Get(user, ScimSchemas.EnterpriseUser) as JsonObject;
        var given = Text(name, "givenName");
        var family = Text(name, "familyName");
        var userName = Text(user, "userName");
        if (userName.Length == 0)
        {
            throw ScimException.InvalidValue("userName is required");
        }

        var display = Text(user, "displayName");
        if (display.Length == 0)
        {
            // The directory requires a display name; SCIM does not. Take the formatted name, the
            // given and family names, or the user name, as Entra ID does.
            display = Text(name, "formatted") is { Length: > 0 } formatted ? formatted
                : $"{given} {family}".Trim() is { Length: > 0 } both ? both
                : userName;
        }

        return new UserProfile
        {
            UserPrincipalName = userName,
            DisplayName = display,
            GivenName = given,
            Surname = family,
            Mail = PrimaryEmail(user),
            JobTitle = Text(user, "title"),
            EmployeeId = Text(enterprise, "employeeNumber"),
            Department = Text(enterprise, "department"),
            AccountEnabled = ScimJson.Bool(ScimJson.Get(user, "active")) ?? enabledWhenAbsent,
            ExternalId = Text(user, "externalId"),
            ManagerId = Manager(enterprise),
        };
    }

    /// <summary>The mapped properties whose values differ between two profiles (the update mask of a PUT or PATCH).</summary>
    public static ImmutableArray<string> Changed(UserProfile current, UserProfile updated) =>
    [
        .. Mapped.Where(field => field switch
        {
            DomainFields.UserPrincipalName => current.UserPrincipalName != updated.UserPrincipalName,
            DomainFields.DisplayName => current.DisplayName != updated.DisplayName,
            DomainFields.GivenName => current.GivenName != updated.GivenName,
            DomainFields.Surname => current.Surname != updated.Surname,
            DomainFields.Mail => current.Mail != updated.Mail,
            DomainFields.JobTitle => current.JobTitle != updated.JobTitle,
            DomainFields.EmployeeId => current.EmployeeId != updated.EmployeeId,
            DomainFields.Department => current.Department != updated.Department,
            DomainFields.AccountEnabled => current.AccountEnabled != updated.AccountEnabled,
            DomainFields.ExternalId => current.ExternalId != updated.ExternalId,
            "managerId" => current.ManagerId != updated.ManagerId,
            _ => false,
        }),
    ];

    /// <summary>The manager's id: <c>{"value": id}</c>, or the id alone (Entra ID's PATCH of <c>manager</c> sends a string).</summary>
    private static string Manager(JsonObject? enterprise) => ScimJson.Get(enterprise ?? [], "manager") switch
    {
        JsonObject m => Text(m, "value"),
        JsonValue v when v.TryGetValue<string>(out var id) => id,
        _ => "",
    };

    /// <summary>The primary email, else the work email, else the first.</summary>
    private static string PrimaryEmail(JsonObject user)
    {
        if (ScimJson.Get(user, "emails") is not JsonArray emails)
        {
            return "";
        }

        var all = emails.OfType<JsonObject>().ToList();
        var chosen = all.FirstOrDefault(e => ScimJson.Bool(ScimJson.Get(e, "primary")) == true)
            ?? all.FirstOrDefault(e => string.Equals(ScimJson.String(e, "type"), "work", StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault();
        return chosen is null ? "" : Text(chosen, "value");
    }

    private static string Text(JsonObject? o, string name) =>
        o is null ? "" : ScimJson.Get(o, name) switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => throw ScimException.InvalidValue($"'{name}' must be a string"),
        };

    private static void Set(JsonObject o, string name, string value)
    {
        if (value.Length > 0)
        {
            o[name] = value;
        }
    }
}
