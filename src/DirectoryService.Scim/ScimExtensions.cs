using DirectoryService.Gateway.Security;
using DirectoryService.Scim.Discovery;
using DirectoryService.Scim.Groups;
using DirectoryService.Scim.Hosting;
using DirectoryService.Scim.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryService.Scim;

/// <summary>Registers and maps the SCIM 2.0 service provider at <c>/scim/v2</c>.</summary>
public static class ScimExtensions
{
    public static IServiceCollection AddDirectoryScim(this IServiceCollection services)
    {
        services.AddOptions<ScimOptions>().BindConfiguration(ScimOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ScimDoor>();
        services.AddSingleton<IRefusalDoor, ScimRefusalDoor>();
        return services;
    }

    public static IEndpointRouteBuilder MapDirectoryScim(this IEndpointRouteBuilder endpoints)
    {
        var scim = endpoints.MapGroup(ScimSchemas.Base);
        scim.AddEndpointFilter(async (context, next) =>
        {
            // SCIM bodies are application/scim+json; application/json is accepted too (RFC 7644 §3.1).
            var request = context.HttpContext.Request;
            if (request.ContentLength > 0 && request.ContentType is { } type
                && !type.StartsWith(ScimSchemas.ContentType, StringComparison.OrdinalIgnoreCase)
                && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return Errors.ScimErrors.Result(415, null, $"the body must be {ScimSchemas.ContentType} or application/json, not {type}");
            }

            return await next(context);
        });
        ScimDiscovery.Map(scim);
        ScimUsers.Map(scim);
        ScimGroups.Map(scim);
        return endpoints;
    }
}
