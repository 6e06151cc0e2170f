using Google.Rpc;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>Asserts on refusals: the status code, and the request field named in the message and the details.</summary>
public static class RpcAssert
{
    public static async Task<RpcException> Fails(StatusCode code, string? field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}");
        if (field is not null)
        {
            Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
            var violations = error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations;
            Assert.NotNull(violations);
            Assert.Contains(violations, v => v.Field == field);
        }

        return error;
    }

    public static Task<RpcException> Fails<T>(StatusCode code, string? field, Func<AsyncUnaryCall<T>> call) =>
        Fails(code, field, async () => await call());
}
