using DirectoryService.Security;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryService.Gateway.Security;

/// <summary>
/// The gRPC statuses of calls refused by authentication (UNAUTHENTICATED: why the token was refused)
/// or authorization (PERMISSION_DENIED: which permissions the RPC needs), each with a
/// <c>google.rpc.ErrorInfo</c>. Messages never echo the token.
/// </summary>
public static class AuthRefusals
{
    private const string Domain = "directory.v1";

    public static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    public static Google.Rpc.Status Forbidden(HttpContext context)
    {
        var policy = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var needed = policy is not null && Policies.Allowed.TryGetValue(policy, out var permissions) ? permissions : [];
        var granted = Policies.Granted(context.User).ToList();
        var message = needed.Length == 0
            ? "the caller's token does not allow this call"
            : $"this call needs one of the permissions {string.Join(", ", needed)} (an application role or a delegated scope); " +
              (granted.Count == 0 ? "the token grants none" : $"the token grants {string.Join(", ", granted)}");
        return Status(Code.PermissionDenied, message, "MissingPermission", new() { ["required"] = string.Join(" ", needed) });
    }

    public static async Task<Google.Rpc.Status> UnauthenticatedAsync(HttpContext context)
    {
        // The handler keeps its result for the request, so this reads why the token was refused.
        var failure = (await context.AuthenticateAsync()).Failure;
        var hasToken = context.Request.Headers.Authorization.Any(h => h?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);
        var (reason, why) = failure switch
        {
            _ when !hasToken => ("MissingToken", "the call carries no bearer token; send the header 'authorization: Bearer <JWT>'"),
            SecurityTokenExpiredException => ("TokenExpired", "the bearer token has expired; get a new one"),
            SecurityTokenNotYetValidException => ("TokenNotYetValid", "the bearer token is not valid yet (check the clocks)"),
            SecurityTokenInvalidAudienceException => ("WrongAudience", "the bearer token is not for this API (its aud claim names another)"),
            SecurityTokenInvalidIssuerException => ("UntrustedIssuer", "the bearer token's issuer (iss) is not trusted here"),
            SecurityTokenInvalidAlgorithmException => ("DisallowedAlgorithm", "the bearer token is signed with an algorithm that is not allowed (asymmetric algorithms only)"),
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => ("BadSignature", "the bearer token's signature does not verify with a trusted key"),
            SecurityTokenNoExpirationException => ("TokenWithoutExpiry", "the bearer token has no expiry (exp)"),
            SecurityTokenMalformedException or ArgumentException => ("MalformedToken", "the bearer token is not a well-formed JWT"),
            _ => ("TokenRefused", "the bearer token was refused"),
        };
        return Status(Code.Unauthenticated, why, reason, []);
    }

    /// <summary>Answers the call with the status alone (a trailers-only gRPC response).</summary>
    public static void Write(HttpContext context, Google.Rpc.Status status)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');
        if (status.Code == (int)Code.Unauthenticated)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }
    }

    private static Google.Rpc.Status Status(Code code, string message, string reason, Dictionary<string, string> metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        info.Metadata.Add(metadata);
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(info));
        return status;
    }
}
