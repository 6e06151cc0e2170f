using System.Text.Json.Nodes;
using DirectoryService.Gateway.Security;
using DirectoryService.Scim.Errors;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Scim.Hosting;

/// <summary>The SCIM door's refusals before a call runs: 401 or 403 in the SCIM error schema, saying what was missing.</summary>
public sealed class ScimRefusalDoor : IRefusalDoor
{
    public bool Handles(HttpContext context) => context.Request.Path.StartsWithSegments(ScimSchemas.Base);

    public Task<RefusedCall> DescribeAsync(HttpContext context)
    {
        var last = context.Request.Path.Value?.Split('/').LastOrDefault();
        IReadOnlyList<string> targets = Guid.TryParse(last, out var id) ? [id.ToString("D")] : [];
        return Task.FromResult(new RefusedCall($"SCIM {context.Request.Method} {context.Request.Path}", targets, null));
    }

    public async Task WriteAsync(HttpContext context, Google.Rpc.Status refusal)
    {
        var status = refusal.Code == (int)Google.Rpc.Code.Unauthenticated ? 401 : 403;
        if (status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await ScimErrors.Result(status, null, refusal.Message).ExecuteAsync(context);
    }
}
