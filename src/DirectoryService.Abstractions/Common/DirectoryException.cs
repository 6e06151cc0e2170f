namespace DirectoryService.Abstractions.Common;

/// <summary>A refusal the caller can act on: a code, the field at fault (in domain terms), and what is wrong with it.</summary>
[GenerateSerializer, Alias("DirectoryException")]
public sealed class DirectoryException : Exception
{
    public DirectoryException(DirectoryErrorCode code, ErrorField? field, string description)
        : base(field is null ? description : $"{field}: {description}")
    {
        Code = code;
        Field = field;
        Description = description;
    }

    [Id(0)]
    public DirectoryErrorCode Code { get; private set; }

    /// <summary>The field at fault; each door names it in its own notation.</summary>
    [Id(2)]
    public ErrorField? Field { get; private set; }

    /// <summary>What is wrong, without the field's name (a door puts its own name for the field first).</summary>
    [Id(3)]
    public string Description { get; private set; }

    /// <summary>Why, as a machine-readable reason (gRPC's <c>ErrorInfo.reason</c>) when the code alone does not tell a client what to do; null otherwise.</summary>
    [Id(4)]
    public string? Reason { get; private set; }

    /// <summary>FAILED_PRECONDITION with a reason that tells the client what to do (for example, to start again).</summary>
    public static DirectoryException Precondition(string reason, ErrorField? field, string description) =>
        new(DirectoryErrorCode.FailedPrecondition, field, description) { Reason = reason };

    public static DirectoryException Invalid(ErrorField field, string description) =>
        new(DirectoryErrorCode.InvalidArgument, field, description);

    public static DirectoryException NotFound(ErrorField field, string what) =>
        new(DirectoryErrorCode.NotFound, field, $"{what} not found");

    public static DirectoryException AlreadyExists(ErrorField field, string description) =>
        new(DirectoryErrorCode.AlreadyExists, field, description);

    public static DirectoryException Precondition(ErrorField field, string description) =>
        new(DirectoryErrorCode.FailedPrecondition, field, description);

    public static DirectoryException Exhausted(ErrorField field, string description) =>
        new(DirectoryErrorCode.ResourceExhausted, field, description);
}
