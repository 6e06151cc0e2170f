using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// The REST/JSON door's refusals (the RPCs transcoded at <c>/v1/</c>): the refusal as the JSON form
/// of <c>google.rpc.Status</c> with its <c>ErrorInfo</c> and HTTP 401 or 403, the operation named as
/// the RPC it maps to, and the ids its route names as targets.
/// </summary>
public sealed class RestRefusalDoor : IRefusalDoor
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry.FromMessages(Google.Rpc.ErrorInfo.Descriptor)));

    public bool Handles(HttpContext context) => !AuthRefusals.IsGrpc(context) && context.Request.Path.StartsWithSegments("/v1");

    public Task<RefusedCall> DescribeAsync(HttpContext context)
    {
        var rpc = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName;
        IReadOnlyList<string> targets = [.. context.Request.RouteValues
            .Where(r => r.Key == "id" || r.Key.EndsWith("_id", StringComparison.Ordinal) || r.Key.EndsWith(".id", StringComparison.Ordinal))
            .Select(r => r.Value?.ToString()).OfType<string>()];
        return Task.FromResult(new RefusedCall(rpc ?? $"{context.Request.Method} {context.Request.Path}", targets, null));
    }

    public async Task WriteAsync(HttpContext context, Google.Rpc.Status refusal)
    {
        context.Response.StatusCode = refusal.Code == (int)Google.Rpc.Code.Unauthenticated ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Json.Format(refusal));
    }
}
