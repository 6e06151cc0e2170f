using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// The silo's metrics in the Prometheus text format, for a scraper beside it (section
/// <c>Directory:Metrics</c>), off unless <see cref="PrometheusUrl"/> is set. Metrics carry operation
/// names and counts, no tenant and no identity, but the endpoint has no authentication, so like the
/// dashboard it must be http on a loopback address and answers on that endpoint only. OTLP export
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is the other way out.
/// </summary>
public sealed class MetricsEndpointOptions
{
    public const string Section = "Directory:Metrics";
    public const string Path = "/metrics";

    /// <summary>The scrape endpoint, http on a loopback address (<c>http://127.0.0.1:5081</c>); empty: none.</summary>
    public string PrometheusUrl { get; set; } = "";

    public bool Enabled => PrometheusUrl.Length > 0;

    public IEnumerable<string> Problems()
    {
        if (Enabled && !LoopbackUrl.IsLoopbackHttp(PrometheusUrl))
        {
            yield return $"Directory:Metrics:PrometheusUrl '{PrometheusUrl}' must be http:// on a loopback address (the endpoint has no authentication of its own); leave it empty to turn it off";
        }
    }
}

/// <summary>Adds and maps the Prometheus scrape endpoint.</summary>
public static class MetricsEndpoint
{
    /// <summary>Validates the section and, when an endpoint is set, adds the exporter to <paramref name="metrics"/> and the endpoint to Kestrel.</summary>
    public static MeterProviderBuilder AddMetricsEndpoint(this MeterProviderBuilder metrics, WebApplicationBuilder builder)
    {
        var options = builder.BindChecked<MetricsEndpointOptions>(MetricsEndpointOptions.Section, o => o.Problems());
        if (options.Enabled)
        {
            builder.ListenOn("Metrics", options.PrometheusUrl);
            metrics.AddPrometheusExporter();
        }

        return metrics;
    }

    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsEndpointOptions>>().Value;
        if (options.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsEndpointOptions.Path).OnlyOnPortOf(options.PrometheusUrl);
        }

        return app;
    }
}
