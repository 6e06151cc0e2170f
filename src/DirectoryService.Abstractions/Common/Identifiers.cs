using System.Text.RegularExpressions;

namespace DirectoryService.Abstractions.Common;

/// <summary>Shape checks for ids that arrive in requests: object ids are GUIDs, tenant ids are slugs.</summary>
public static partial class Identifiers
{
    public static string NewObjectId() => Guid.NewGuid().ToString("D");

    /// <summary>Returns the canonical (lower-case, hyphenated) form of an object id, or throws INVALID_ARGUMENT naming the field.</summary>
    public static string ObjectId(string? value, ErrorField field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DirectoryException.Invalid(field, "is required");
        }

        if (!Guid.TryParseExact(value, "D", out var id))
        {
            throw DirectoryException.Invalid(field, "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
        }

        return id.ToString("D");
    }

    public static string TenantId(string? value, ErrorField field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DirectoryException.Invalid(field, "is required");
        }

        if (!TenantIdPattern().IsMatch(value))
        {
            throw DirectoryException.Invalid(field, "must be 1..64 lower-case letters, digits or '-', starting with a letter or digit");
        }

        return value;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantIdPattern();
}
