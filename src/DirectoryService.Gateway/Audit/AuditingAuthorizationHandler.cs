using System.Buffers;
using System.Buffers.Binary;
using DirectoryService.Gateway.Rpcs;
using DirectoryService.Gateway.Security;
using Google.Protobuf;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Audit;

/// <summary>
/// Records every call refused by authentication or authorization, with the ids its request named,
/// and answers a gRPC call with a gRPC status (<see cref="AuthRefusals"/>) rather than a bare HTTP
/// 401/403, so clients learn what was missing.
/// </summary>
public sealed class AuditingAuthorizationHandler(AuditTrail trail) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var path = context.Request.Path.Value ?? "";
        var rpc = RpcCatalog.Find(path);
        var request = rpc is null ? null : await ReadRequestAsync(context, rpc);
        var targets = request is null ? [] : AuditTargets.Ids(request);
        var tenant = request is not null && rpc!.Audit.TenantField.Length > 0 ? AuditTargets.Value(request, rpc.Audit.TenantField) : null;
        await trail.RecordRefusalAsync(context, path, targets, authorizeResult.Forbidden ? "PermissionDenied" : "Unauthenticated", tenant);

        if (!AuthRefusals.IsGrpc(context))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var status = authorizeResult.Forbidden ? AuthRefusals.Forbidden(context) : await AuthRefusals.UnauthenticatedAsync(context);
        AuthRefusals.Write(context, status);
    }

    /// <summary>
    /// The request message of a refused call, read so its record can name the ids it targeted: one
    /// uncompressed gRPC frame within the size limit; null for anything else (the call is refused anyway).
    /// </summary>
    private static async Task<IMessage?> ReadRequestAsync(HttpContext context, RpcDescription rpc)
    {
        if (!AuthRefusals.IsGrpc(context))
        {
            return null;
        }

        try
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                var buffer = read.Buffer;
                if (buffer.Length >= 5)
                {
                    var header = buffer.Slice(0, 5).ToArray();
                    var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
                    if (header[0] != 0 || length > GatewayExtensions.MaxMessageBytes)
                    {
                        return null;
                    }

                    if (buffer.Length >= 5 + length)
                    {
                        return rpc.Request.Parser.ParseFrom(buffer.Slice(5, length));
                    }
                }

                if (read.IsCompleted)
                {
                    return null;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }
}
