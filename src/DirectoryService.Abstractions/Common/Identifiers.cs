using System.Text.RegularExpressions;

namespace DirectoryService.Abstractions.Common;

/// <summary>Shape checks for ids that arrive in requests: object ids are GUIDs, tenant ids are slugs.</summary>
public static partial class Identifiers
{
    public static string NewObjectId() => Guid.NewGuid().ToString("D");

    /// <summary>How many placements there are: the values of an id's first three hex digits.</summary>
    public const int Placements = 4096;

    /// <summary>
    /// A new object id whose first three hex digits are <paramref name="placement"/> (0..4095) and
    /// that says so: it is a version-8 UUID (RFC 9562, "custom"), which <see cref="NewObjectId"/>
    /// (version 4) never makes. Storage keeps an object with a placed id in the partition its
    /// placement names (<see cref="PlacementOf"/>), so objects created together with one placement —
    /// an import's batch — share their storage partitions and are written in shared transactions.
    /// The other 110 bits are random, as unique as a version-4 id's 122 over any real directory.
    /// </summary>
    public static string NewPlacedObjectId(int placement)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(placement);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(placement, Placements);
        Span<char> id = stackalloc char[36];
        Guid.NewGuid().TryFormat(id, out _, "D");
        placement.TryFormat(id[..3], out _, "x3", System.Globalization.CultureInfo.InvariantCulture);
        id[14] = '8';
        return new string(id);
    }

    /// <summary>
    /// The placement a placed id (<see cref="NewPlacedObjectId"/>) carries: its first three hex
    /// digits; null for any other id (a version-4 id is stored where the hash of its key says).
    /// </summary>
    public static string? PlacementOf(string objectId) =>
        objectId.Length == 36 && objectId[14] == '8' && (objectId[19] is '8' or '9' or 'a' or 'b') && objectId[8] == '-' && Guid.TryParseExact(objectId, "D", out _)
            ? objectId[..3]
            : null;

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
