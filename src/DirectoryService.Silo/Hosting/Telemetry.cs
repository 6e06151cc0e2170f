using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DirectoryService.Silo.Hosting;

/// <summary>OpenTelemetry traces, metrics and logs: Orleans, ASP.NET Core/gRPC and the service's own sources; metrics also for a Prometheus scraper when configured (<see cref="MetricsEndpoint"/>).</summary>
public static class Telemetry
{
    public const string ServiceName = "directory-silo";

    public static WebApplicationBuilder AddDirectoryTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(metrics => metrics
                .AddMeter("Microsoft.Orleans")
                .AddMeter(Gateway.GatewayMetrics.MeterName)
                .AddMeter(Grains.Membership.SignInMetrics.MeterName)
                .AddMeter(Storage.StorageTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddMetricsEndpoint(builder))
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime")
                .AddSource("Microsoft.Orleans.Application")
                .AddSource(Abstractions.Common.ApiOperation.SourceName)
                .AddSource(Storage.StorageTelemetry.Name)
                .AddAspNetCoreInstrumentation())
            .WithLogging(logging => { }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });

        // OTLP export only when an endpoint is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT variable).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }
}
