namespace DirectoryService.Abstractions.Common;

/// <summary>Opaque entity tags derived from an object's version counter.</summary>
public static class ETag
{
    public static string For(long version) => $"W/\"{version}\"";

    /// <summary>Throws FAILED_PRECONDITION when a precondition was given and does not match.</summary>
    public static void Check(string? expected, long version, ErrorField field) => Check(expected, For(version), field);

    /// <summary>Throws FAILED_PRECONDITION when a precondition was given and differs from the current etag.</summary>
    public static void Check(string? expected, string current, ErrorField field)
    {
        if (!string.IsNullOrEmpty(expected) && !string.Equals(expected, current, StringComparison.Ordinal))
        {
            throw DirectoryException.Precondition(field, "does not match the current etag; read the object again and retry");
        }
    }
}
