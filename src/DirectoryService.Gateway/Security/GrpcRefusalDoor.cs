using System.Buffers;
using System.Buffers.Binary;
using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Rpcs;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Security;

/// <summary>The gRPC door's refusals: targets read from the request message, the refusal as a trailers-only gRPC status.</summary>
public sealed class GrpcRefusalDoor : IRefusalDoor
{
    public bool Handles(HttpContext context) => AuthRefusals.IsGrpc(context);

    public async Task<RefusedCall> DescribeAsync(HttpContext context)
    {
        var method = context.Request.Path.Value ?? "";
        var rpc = RpcCatalog.Find(method);
        var request = rpc is null ? null : await ReadRequestAsync(context, rpc);
        if (request is null)
        {
            return new RefusedCall(method, [], null);
        }

        var tenant = rpc!.Audit.TenantField.Length > 0 ? AuditTargets.Value(request, rpc.Audit.TenantField) : null;
        return new RefusedCall(method, AuditTargets.Ids(request), tenant);
    }

    public Task WriteAsync(HttpContext context, Google.Rpc.Status refusal)
    {
        AuthRefusals.Write(context, refusal);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The request message of a refused call, read only so its record can name the ids it targeted:
    /// one uncompressed gRPC frame within the size limit; null for anything else.
    /// </summary>
    private static async Task<IMessage?> ReadRequestAsync(HttpContext context, RpcDescription rpc)
    {
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
