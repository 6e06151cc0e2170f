using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectoryService.Gateway.Diagnostics;

/// <summary>The empty handler: the baseline every benchmark ratio is taken against.</summary>
public sealed class DiagnosticsService : Grpc.V1.Diagnostics.DiagnosticsBase
{
    private static readonly Task<Empty> Pong = Task.FromResult(new Empty());

    /// <summary>Authenticated like every directory call, so the baseline includes token validation.</summary>
    [Authorize]
    public override Task<Empty> Ping(Empty request, ServerCallContext context) => Pong;
}
