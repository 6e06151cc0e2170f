using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Diagnostics;

/// <summary>The empty handler: the baseline every benchmark ratio is taken against.</summary>
public sealed class DiagnosticsService : Grpc.V1.Diagnostics.DiagnosticsBase
{
    private static readonly Task<Empty> Pong = Task.FromResult(new Empty());

    public override Task<Empty> Ping(Empty request, ServerCallContext context) => Pong;
}
