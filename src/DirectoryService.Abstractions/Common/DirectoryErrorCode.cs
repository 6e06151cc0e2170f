namespace DirectoryService.Abstractions.Common;

/// <summary>Why a directory operation was refused; each maps to one gRPC status code.</summary>
public enum DirectoryErrorCode
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    PermissionDenied,
    Unauthenticated,
}
