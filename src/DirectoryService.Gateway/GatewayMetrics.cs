using System.Diagnostics.Metrics;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Gateway;

/// <summary>The gateway's own metrics: refusals by reason, next to the ASP.NET Core request metrics.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DirectoryService.Gateway";

    private readonly Counter<long> _refusals;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _refusals = meter.CreateCounter<long>("directory.gateway.refusals", description: "Calls refused with a directory error, by method and reason");
    }

    public void Refused(string method, DirectoryErrorCode code) =>
        _refusals.Add(1, new KeyValuePair<string, object?>("rpc.method", method), new KeyValuePair<string, object?>("reason", code.ToString()));
}
