namespace DirectoryService.Scim.Errors;

/// <summary>A refusal in the SCIM door's own terms (RFC 7644 §3.12): an HTTP status, a scimType and what is wrong.</summary>
public sealed class ScimException(int status, string? scimType, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string? ScimType { get; } = scimType;

    public static ScimException InvalidFilter(string detail) => new(400, "invalidFilter", detail);

    public static ScimException InvalidPath(string detail) => new(400, "invalidPath", detail);

    public static ScimException InvalidSyntax(string detail) => new(400, "invalidSyntax", detail);

    public static ScimException InvalidValue(string detail) => new(400, "invalidValue", detail);

    public static ScimException NoTarget(string detail) => new(400, "noTarget", detail);

    public static ScimException Mutability(string detail) => new(400, "mutability", detail);

    public static ScimException TooMany(string detail) => new(400, "tooMany", detail);

    public static ScimException NotFound(string detail) => new(404, null, detail);
}
