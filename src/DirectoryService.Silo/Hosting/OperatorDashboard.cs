using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace DirectoryService.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard for operators (section <c>Directory:Dashboard</c>): grains, silos and call
/// rates of the cluster. It has no authentication of its own, so it is served on an endpoint of its
/// own that must be a loopback address (operators reach it through an SSH tunnel or a sidecar), and
/// answers nowhere else — not on the public endpoint, whatever Host header a request claims.
/// </summary>
public sealed class OperatorDashboardOptions
{
    public const string Section = "Directory:Dashboard";
    public const string RoutePrefix = "/dashboard";

    public bool Enabled { get; set; } = true;

    /// <summary>The dashboard's own endpoint: http on a loopback address.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    public IEnumerable<string> Problems()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!LoopbackUrl.IsLoopbackHttp(Url))
        {
            yield return $"Directory:Dashboard:Url '{Url}' must be http:// on a loopback address (the dashboard has no authentication of its own); set Directory:Dashboard:Enabled=false to turn it off";
        }
    }
}

/// <summary>Adds and maps the operators' dashboard.</summary>
public static class OperatorDashboard
{
    public static WebApplicationBuilder AddOperatorDashboard(this WebApplicationBuilder builder, ISiloBuilder orleans)
    {
        var options = builder.BindChecked<OperatorDashboardOptions>(OperatorDashboardOptions.Section, o => o.Problems());
        if (options.Enabled)
        {
            builder.ListenOn("Dashboard", options.Url);
            orleans.AddDashboard();
        }

        return builder;
    }

    public static WebApplication MapOperatorDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OperatorDashboardOptions>>().Value;
        if (options.Enabled)
        {
            app.MapOrleansDashboard(routePrefix: OperatorDashboardOptions.RoutePrefix).OnlyOnPortOf(options.Url);
        }

        return app;
    }
}
