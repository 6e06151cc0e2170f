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
        // OTLP export only when an endpoint is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT variable).
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(metrics => metrics
                .AddMeter("Microsoft.Orleans")
                .AddMeter(Gateway.GatewayMetrics.MeterName)
                .AddMeter(Grains.Membership.SignInMetrics.MeterName)
                .AddMeter(Storage.StorageTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddMetricsEndpoint(builder))
            .WithTracing(tracing =>
            {
                // A request's own spans always: their trace id is the audit record's correlation id
                // and the logs' trace id.
                tracing.AddAspNetCoreInstrumentation().AddSource(Abstractions.Common.ApiOperation.SourceName);
                if (exporting)
                {
                    // A span per grain call and per storage call only when they go somewhere: recorded
                    // for no exporter they cost the silo about a tenth of its CPU in a bulk import
                    // (benchmarks/RESULTS.md). The OTEL_TRACES_SAMPLER variables thin them out.
                    tracing.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", Storage.StorageTelemetry.Name);
                }
            })
            .WithLogging(logging => { }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            });

        if (exporting)
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }
}
