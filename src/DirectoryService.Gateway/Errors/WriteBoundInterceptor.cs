using DirectoryService.Gateway.Rpcs;
using Grpc.Core;
using Grpc.Core.Interceptors;
using DirectoryService.Abstractions.Common;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Errors;

/// <summary>How long a write may take before its caller is answered (<c>Directory:Gateway</c>).</summary>
public sealed class WriteBoundOptions
{
    public const string Section = "Directory:Gateway";

    /// <summary>Longest a unary write is answered after (its audit record and storage included), or the caller's deadline if sooner.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Bounds every unary write (<see cref="RpcCatalog"/>): it must be answered within
/// <see cref="WriteBoundOptions.WriteTimeout"/> (or the caller's deadline, if sooner). The deadline
/// goes with the write as its <see cref="CallDeadline"/>, to every grain it calls and every storage
/// operation they make, which gets only what is left of it: when storage stalls, the write fails
/// near its deadline with <c>UNAVAILABLE</c> (outcome unknown) instead of waiting on it. The call is
/// never abandoned while its steps run: each ends by the deadline, its audit record settled or, if
/// storage is what failed, left <c>PENDING</c>.
/// </summary>
public sealed class WriteBoundInterceptor(IOptions<WriteBoundOptions> options, TimeProvider time) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        RpcCatalog.Find(context.Method) is { IsWrite: true } ? BoundedAsync(request, context, continuation) : continuation(request, context);

    private async Task<TResponse> BoundedAsync<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        var now = time.GetUtcNow();
        var bound = now + options.Value.WriteTimeout;
        var caller = context.Deadline == DateTime.MaxValue ? bound : new DateTimeOffset(DateTime.SpecifyKind(context.Deadline, DateTimeKind.Utc));
        CallDeadline.Set(caller < bound ? caller : bound);

        // Awaited here, so the deadline set above stays with this call's flow only.
        return await continuation(request, context);
    }
}
