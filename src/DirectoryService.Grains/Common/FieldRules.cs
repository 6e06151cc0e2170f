using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>Checks shared by every writable property: length limits, required fields, update masks.</summary>
public static class FieldRules
{
    /// <summary>Checks a free-text property: at most 256 characters and no control characters.</summary>
    public static void Text(string value, ErrorField field, bool required = false)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw DirectoryException.Invalid(field, "is required");
        }

        if (value.Length > Limits.MaxStringLength)
        {
            throw DirectoryException.Invalid(field, $"must be at most {Limits.MaxStringLength} characters, got {value.Length}");
        }

        if (value.Any(char.IsControl))
        {
            throw DirectoryException.Invalid(field, "must not contain control characters");
        }
    }

    /// <summary>Checks that an update mask is present and names only updatable paths.</summary>
    public static void Mask(ImmutableArray<string> mask, IReadOnlySet<string> allowed, string? allowedPrefix = null)
    {
        if (mask.IsDefaultOrEmpty)
        {
            throw DirectoryException.Invalid(DomainFields.UpdateMask, "is required and must name at least one field");
        }

        foreach (var path in mask)
        {
            var known = allowed.Contains(path)
                || (allowedPrefix is not null && path.StartsWith(allowedPrefix, StringComparison.Ordinal) && path.Length > allowedPrefix.Length);
            if (!known)
            {
                throw DirectoryException.Invalid(DomainFields.UpdateMask, $"'{path}' is not an updatable field; use {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");
            }
        }
    }

    /// <summary>Takes the masked value from <paramref name="changes"/>, else keeps <paramref name="current"/>.</summary>
    public static T Pick<T>(ImmutableArray<string> mask, string path, T current, T changes) =>
        mask.Contains(path) ? changes : current;
}
