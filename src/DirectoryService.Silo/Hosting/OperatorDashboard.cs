using System.Net;
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

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || !(uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))))
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
        var options = builder.Configuration.GetSection(OperatorDashboardOptions.Section).Get<OperatorDashboardOptions>() ?? new OperatorDashboardOptions();
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(OperatorDashboardOptions.Section, typeof(OperatorDashboardOptions), problems);
        }

        builder.Services.AddSingleton(Options.Create(options));
        if (options.Enabled)
        {
            builder.Configuration["Kestrel:Endpoints:Dashboard:Url"] = options.Url;
            builder.Configuration["Kestrel:Endpoints:Dashboard:Protocols"] = "Http1";
            orleans.AddDashboard();
        }

        return builder;
    }

    public static WebApplication MapOperatorDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OperatorDashboardOptions>>().Value;
        if (options.Enabled)
        {
            var port = new Uri(options.Url).Port;
            app.MapOrleansDashboard(routePrefix: OperatorDashboardOptions.RoutePrefix)
                .AddEndpointFilter(async (context, next) =>
                    context.HttpContext.Connection.LocalPort == port ? await next(context) : Results.NotFound());
        }

        return app;
    }
}
