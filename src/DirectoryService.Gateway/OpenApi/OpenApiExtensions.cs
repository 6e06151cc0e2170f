using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi.Models;

namespace DirectoryService.Gateway.OpenApi;

/// <summary>
/// The OpenAPI document of the REST/JSON door, generated from the protos (their HTTP paths and their
/// comments, through the Grpc assembly's XML docs), at <c>/openapi/v1.json</c>, and a browsable page
/// at <c>/api-docs</c>. Both are anonymous: they describe the API; every call still needs a token.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "api-docs";

    public static IServiceCollection AddDirectoryOpenApi(this IServiceCollection services)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "DirectoryService directory.v1",
                Version = "v1",
                Description = "Users, groups, memberships and sign-in resolution of the caller's tenant (the token's tid). Every call needs a bearer token.",
            });
            var docs = Path.Combine(AppContext.BaseDirectory, "DirectoryService.Grpc.xml");
            if (File.Exists(docs))
            {
                swagger.IncludeGrpcXmlComments(docs, includeControllerXmlComments: true);
            }

            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT naming the tenant (tid) and holding the permissions of docs/security.md.",
            });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
        });
        return services;
    }

    public static WebApplication MapDirectoryOpenApi(this WebApplication app)
    {
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = PagePath;
            ui.SwaggerEndpoint(DocumentPath, "directory.v1");
            ui.DocumentTitle = "DirectoryService API";
        });
        return app;
    }
}
