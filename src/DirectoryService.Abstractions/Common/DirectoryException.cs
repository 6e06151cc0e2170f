namespace DirectoryService.Abstractions.Common;

/// <summary>A refusal the caller can act on: a code, the request field at fault, and a message.</summary>
[GenerateSerializer, Alias("DirectoryException")]
public sealed class DirectoryException : Exception
{
    public DirectoryException(DirectoryErrorCode code, string? field, string message)
        : base(message)
    {
        Code = code;
        Field = field;
    }

    [Id(0)]
    public DirectoryErrorCode Code { get; private set; }

    /// <summary>The request field at fault, in proto notation (<c>user.display_name</c>, <c>members[3].id</c>).</summary>
    [Id(1)]
    public string? Field { get; private set; }

    public static DirectoryException Invalid(string field, string message) =>
        new(DirectoryErrorCode.InvalidArgument, field, $"{field}: {message}");

    public static DirectoryException NotFound(string field, string what) =>
        new(DirectoryErrorCode.NotFound, field, $"{field}: {what} not found");

    public static DirectoryException AlreadyExists(string field, string message) =>
        new(DirectoryErrorCode.AlreadyExists, field, $"{field}: {message}");

    public static DirectoryException Precondition(string field, string message) =>
        new(DirectoryErrorCode.FailedPrecondition, field, $"{field}: {message}");

    public static DirectoryException Exhausted(string field, string message) =>
        new(DirectoryErrorCode.ResourceExhausted, field, $"{field}: {message}");
}
