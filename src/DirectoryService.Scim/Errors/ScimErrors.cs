using System.Text.Json.Nodes;
using DirectoryService.Abstractions.Common;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Scim.Errors;

/// <summary>
/// The one mapping from directory errors to SCIM errors (RFC 7644 §3.12): the HTTP status, the
/// scimType, and a detail that names the field by its SCIM attribute path (<c>userName</c>,
/// <c>name.familyName</c>, <c>members</c>). Nothing else ever leaves: unexpected failures are a bare 500/503.
/// </summary>
public static class ScimErrors
{
    private static readonly Dictionary<string, string> Attributes = new(StringComparer.Ordinal)
    {
        [DomainFields.UserPrincipalName] = "userName",
        [DomainFields.GivenName] = "name.givenName",
        [DomainFields.Surname] = "name.familyName",
        [DomainFields.JobTitle] = "title",
        [DomainFields.Mail] = "emails",
        [DomainFields.AccountEnabled] = "active",
        [DomainFields.EmployeeId] = ScimSchemas.EnterpriseUser + ":employeeNumber",
        [DomainFields.Department] = ScimSchemas.EnterpriseUser + ":department",
        [DomainFields.Member] = "members",
        [DomainFields.Manager] = ScimSchemas.EnterpriseUser + ":manager",
        [DomainFields.ETag] = "meta.version (If-Match)",
    };

    /// <summary>A domain field by its SCIM attribute path.</summary>
    public static string AttributeOf(ErrorField field) =>
        field.IsRequestPath ? field.Name : Attributes.GetValueOrDefault(field.Name, field.Name) + (field.Key is { } k ? $"[{k}]" : "");

    public static ScimException From(DirectoryException e)
    {
        var detail = e.Field is null ? e.Description : $"{AttributeOf(e.Field)}: {e.Description}";
        return e.Code switch
        {
            DirectoryErrorCode.AlreadyExists => new ScimException(409, "uniqueness", detail),
            DirectoryErrorCode.NotFound when e.Field?.Name is DomainFields.Member or DomainFields.Owner or DomainFields.Manager => ScimException.InvalidValue(detail),
            DirectoryErrorCode.NotFound => ScimException.NotFound(detail),
            DirectoryErrorCode.FailedPrecondition when e.Field?.Name == DomainFields.ETag => new ScimException(412, null, detail),
            DirectoryErrorCode.PermissionDenied => new ScimException(403, null, detail),
            DirectoryErrorCode.Unauthenticated => new ScimException(401, null, detail),
            DirectoryErrorCode.ResourceExhausted => ScimException.TooMany(detail),
            _ => ScimException.InvalidValue(detail),
        };
    }

    public static IResult Result(int status, string? scimType, string detail)
    {
        var error = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.Error),
            ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["detail"] = detail,
        };
        if (scimType is not null)
        {
            error["scimType"] = scimType;
        }

        return Results.Text(ScimJson.Write(error), ScimSchemas.ContentType, statusCode: status);
    }

    public static IResult Result(ScimException e) => Result(e.Status, e.ScimType, e.Message);
}
