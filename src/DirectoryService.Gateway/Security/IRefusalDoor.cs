using Microsoft.AspNetCore.Http;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// A door's part in refusing a call before it runs (no valid token, a missing permission): the ids
/// its request names, for the audit record, and the refusal in the door's own wire format.
/// </summary>
public interface IRefusalDoor
{
    /// <summary>Whether the request came through this door.</summary>
    bool Handles(HttpContext context);

    /// <summary>What the audit record of the refused call says: the operation, the ids the request names, the tenant an operator call is about.</summary>
    Task<RefusedCall> DescribeAsync(HttpContext context);

    /// <summary>Answers the call with the refusal (<c>Unauthenticated</c> or <c>PermissionDenied</c>, with a message saying why).</summary>
    Task WriteAsync(HttpContext context, Google.Rpc.Status refusal);
}

/// <summary>A refused call as its audit record names it.</summary>
public sealed record RefusedCall(string Operation, IReadOnlyList<string> Targets, string? Tenant);
