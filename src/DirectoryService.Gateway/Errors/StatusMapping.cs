using DirectoryService.Abstractions.Common;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DirectoryService.Gateway.Errors;

/// <summary>The one mapping from directory errors to gRPC statuses, with the field at fault in the details.</summary>
public static class StatusMapping
{
    private const string Domain = "directory.v1";

    public static RpcException ToRpcException(DirectoryException error)
    {
        var code = error.Code switch
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
        var status = new Google.Rpc.Status { Code = (int)code, Message = error.Message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = error.Code.ToString(), Domain = Domain }));
        if (error.Field is not null)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = error.Field, Description = error.Message } },
            }));
        }

        return status.ToRpcException();
    }
}
