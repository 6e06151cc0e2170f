using DirectoryService.Abstractions.Audit;
using DirectoryService.Gateway.Rpcs;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectoryService.Gateway.Audit;

/// <summary>
/// Audits every call its RPC declares a write (<see cref="RpcCatalog"/>): a pending record with who,
/// what, the ids the call names (and for a create the id it will assign) and the names — never the
/// values — of the properties it sets is stored before the call runs, and settled with the outcome
/// before the answer leaves. A silo that dies in between leaves the record PENDING, never no record.
/// </summary>
public sealed class AuditInterceptor(AuditTrail trail) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (RpcCatalog.Find(context.Method) is not { IsWrite: true } rpc || request is not IMessage message)
        {
            return await continuation(request, context);
        }

        UnparsedRestCalls.MarkAudited(context.GetHttpContext());

        // A body that could not be parsed names nothing; the call is refused inside, and recorded here.
        var parsed = !Parsing.UnparsedRequests.IsUnparsed(message);
        List<string> targets = parsed ? AuditTargets.Ids(message) : [];
        if (parsed && rpc.Audit.Creates)
        {
            targets.Add(NewObjectIds.Reserve(context));
        }

        var changed = parsed ? AuditTargets.Changed(message, rpc.Audit.Creates) : [];
        var tenant = parsed && rpc.Audit.TenantField.Length > 0 ? AuditTargets.Value(message, rpc.Audit.TenantField) : null;
        AuditRecord pending;
        try
        {
            pending = await trail.BeginAsync(context.GetHttpContext(), context.Method, targets, changed, tenant);
        }
        catch (AuditUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        try
        {
            var response = await continuation(request, context);
            var named = response is IMessage answer ? AuditTargets.Ids(answer) : [];
            await trail.SettleAsync(pending, "OK", [.. targets, .. named.Except(targets)]);
            return response;
        }
        catch (RpcException e)
        {
            await trail.SettleAsync(pending, e.StatusCode.ToString(), targets);
            throw;
        }
    }
}
