using System.Net;
using Microsoft.Extensions.Options;

namespace DirectoryService.Silo.Hosting;

/// <summary>Endpoints without authentication of their own (the dashboard, metrics) answer only on http on a loopback address.</summary>
public static class LoopbackUrl
{
    public static bool IsLoopbackHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
        && (uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>Binds and checks an endpoint's section at start-up (a problem stops the silo, naming the setting), and registers it.</summary>
    public static TOptions BindChecked<TOptions>(this WebApplicationBuilder builder, string section, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class, new()
    {
        var options = builder.Configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var found = problems(options).ToList();
        if (found.Count > 0)
        {
            throw new OptionsValidationException(section, typeof(TOptions), found);
        }

        builder.Services.AddSingleton(Options.Create(options));
        return options;
    }

    /// <summary>Has Kestrel listen on <paramref name="url"/> (HTTP/1.1) as an endpoint of its own.</summary>
    public static void ListenOn(this WebApplicationBuilder builder, string endpoint, string url)
    {
        builder.Configuration[$"Kestrel:Endpoints:{endpoint}:Url"] = url;
        builder.Configuration[$"Kestrel:Endpoints:{endpoint}:Protocols"] = "Http1";
    }

    /// <summary>Lets only requests that arrived on <paramref name="url"/>'s port through, whatever Host header they claim.</summary>
    public static TBuilder OnlyOnPortOf<TBuilder>(this TBuilder endpoint, string url)
        where TBuilder : IEndpointConventionBuilder
    {
        var port = new Uri(url).Port;
        return endpoint.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.LocalPort == port ? await next(context) : Results.NotFound());
    }
}
