using DirectoryService.Gateway.Audit;
using DirectoryService.Gateway.Diagnostics;
using DirectoryService.Gateway.Errors;
using DirectoryService.Gateway.Groups;
using DirectoryService.Gateway.Members;
using DirectoryService.Gateway.SignIn;
using DirectoryService.Gateway.Tenants;
using DirectoryService.Gateway.Users;
using DirectoryService.Gateway.Security;
using DirectoryService.Gateway.Paging;
using DirectoryService.Gateway.Parsing;
using Grpc.AspNetCore.Server.Model;
using DirectoryService.Gateway.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryService.Gateway;

/// <summary>Registers and maps the directory.v1 gRPC services.</summary>
public static class GatewayExtensions
{
    /// <summary>Largest request or response message the gateway accepts.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    public static IServiceCollection AddDirectoryGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDirectoryAuthentication(configuration);
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        services.AddSingleton<PageTokens>();
        services.AddSingleton<Changes.DeltaTokens>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditInterceptor>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationHandler>();
        services.AddSingleton<IRefusalDoor, GrpcRefusalDoor>();
        services.AddSingleton<IRefusalDoor, RestRefusalDoor>();
        services.AddSingleton<TenantRateLimiter>();
        services.AddSingleton<TenantRateLimitInterceptor>();
        services.AddSingleton<Diagnostics.OperationInterceptor>();
        services.AddOptions<WriteBoundOptions>().BindConfiguration(WriteBoundOptions.Section)
            .Validate(o => o.WriteTimeout >= TimeSpan.FromMilliseconds(100), $"{WriteBoundOptions.Section}:WriteTimeout must be at least 00:00:00.1").ValidateOnStart();
        services.AddSingleton<WriteBoundInterceptor>();
        services.AddSingleton<VouchInterceptor>();
        services.AddGrpc(options =>
        {
            // Outermost first: the operation's span covers it all; a silo that cannot vouch answers nothing; a write's time is bounded; throttled calls do no work; the audit sees the final status.
            options.Interceptors.Add<Diagnostics.OperationInterceptor>();
            options.Interceptors.Add<VouchInterceptor>();
            options.Interceptors.Add<WriteBoundInterceptor>();
            options.Interceptors.Add<TenantRateLimitInterceptor>();
            options.Interceptors.Add<AuditInterceptor>();
            options.Interceptors.Add<ErrorInterceptor>();
            options.MaxReceiveMessageSize = MaxMessageBytes;
            options.MaxSendMessageSize = MaxMessageBytes;
        }).AddJsonTranscoding(json =>
        {
            // The details refusals carry, so REST clients get them as JSON too.
            json.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(
                Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.BadRequest.Descriptor, Google.Rpc.RetryInfo.Descriptor);
        });


        return services;
    }

    /// <summary>
    /// Replaces the framework's gRPC binder with <see cref="GuardedServiceMethodProvider{TService}"/>,
    /// so that bodies that do not parse reach the interceptors (audited, INVALID_ARGUMENT) instead of
    /// failing inside the framework. Call it after everything that adds gRPC services (reflection,
    /// Swagger, …): each <c>AddGrpc</c> puts the framework's binder back, and two binders would map
    /// every method twice.
    /// </summary>
    public static IServiceCollection UseGuardedGrpcBinding(this IServiceCollection services)
    {
        foreach (var framework in services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList())
        {
            services.Remove(framework);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(GuardedServiceMethodProvider<>)));
        return services;
    }

    public static IEndpointRouteBuilder MapDirectoryGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<TenantsService>();
        endpoints.MapGrpcService<UsersService>();
        endpoints.MapGrpcService<GroupsService>();
        endpoints.MapGrpcService<MembersService>();
        endpoints.MapGrpcService<SignInService>();
        endpoints.MapGrpcService<DiagnosticsService>();
        endpoints.MapGrpcService<AuditService>();
        endpoints.MapGrpcService<Import.ImportService>();
        endpoints.MapGrpcService<Changes.ChangesService>();
        return endpoints;
    }
}
