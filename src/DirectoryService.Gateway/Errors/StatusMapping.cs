using DirectoryService.Abstractions.Common;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DirectoryService.Gateway.Errors;

/// <summary>The one mapping from directory errors to gRPC statuses, with the field at fault named by its request path in the details.</summary>
public static class StatusMapping
{
    private const string Domain = "directory.v1";

    /// <summary>The status code of a directory error.</summary>
    public static Code CodeOf(DirectoryErrorCode code) => code switch
    {
        DirectoryErrorCode.InvalidArgument => Code.InvalidArgument,
        DirectoryErrorCode.NotFound => Code.NotFound,
        DirectoryErrorCode.AlreadyExists => Code.AlreadyExists,
        DirectoryErrorCode.FailedPrecondition => Code.FailedPrecondition,
        DirectoryErrorCode.ResourceExhausted => Code.ResourceExhausted,
        DirectoryErrorCode.PermissionDenied => Code.PermissionDenied,
        DirectoryErrorCode.Unauthenticated => Code.Unauthenticated,
        _ => Code.Internal,
    };

    public static RpcException ToRpcException(DirectoryException error, Google.Protobuf.Reflection.MessageDescriptor? request)
    {
        var code = CodeOf(error.Code);
        var field = error.Field is null ? null : GrpcFieldPaths.Of(error.Field, request);
        var message = field is null ? error.Description : $"{field}: {error.Description}";
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = error.Reason ?? error.Code.ToString(), Domain = Domain }));
        if (field is not null)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = message } },
            }));
        }

        return status.ToRpcException();
    }
}
