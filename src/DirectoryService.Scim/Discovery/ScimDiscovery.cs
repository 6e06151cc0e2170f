using System.Text.Json.Nodes;
using DirectoryService.Scim.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DirectoryService.Scim.Discovery;

/// <summary>
/// The discovery endpoints (RFC 7644 §4): what this service provider supports, stated as it is —
/// PATCH and filters yes (with the most results a page carries), ETags yes, bulk, sort and
/// password changes no.
/// </summary>
public static class ScimDiscovery
{
    public static void Map(IEndpointRouteBuilder scim)
    {
        scim.MapGet("/ServiceProviderConfig", (HttpContext http) => Json(ServiceProviderConfig(http))).RequireAuthorization();
        scim.MapGet("/ResourceTypes", (HttpContext http) => List([User(http), Group(http)])).RequireAuthorization();
        scim.MapGet("/ResourceTypes/{name}", (HttpContext http, string name) => name switch
        {
            "User" => Json(User(http)),
            "Group" => Json(Group(http)),
            _ => Errors.ScimErrors.Result(404, null, $"no resource type '{name}'"),
        }).RequireAuthorization();
        scim.MapGet("/Schemas", () => List([.. ScimSchemaDocuments.All])).RequireAuthorization();
        scim.MapGet("/Schemas/{id}", (string id) => ScimSchemaDocuments.All.FirstOrDefault(s => s["id"]!.GetValue<string>() == id) is { } schema
            ? Json(schema)
            : Errors.ScimErrors.Result(404, null, $"no schema '{id}'")).RequireAuthorization();
    }

    private static JsonObject ServiceProviderConfig(HttpContext http) => new()
    {
        ["schemas"] = new JsonArray(ScimSchemas.ServiceProviderConfig),
        ["documentationUri"] = "https://datatracker.ietf.org/doc/html/rfc7644",
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = ScimSchemas.MaxResults },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = true },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken",
            ["name"] = "OAuth Bearer Token",
            ["description"] = "A JWT bearer token naming the tenant (tid) and holding Directory.ReadWrite.All to write, or a read permission to read.",
            ["primary"] = true,
        }),
        ["meta"] = new JsonObject { ["resourceType"] = "ServiceProviderConfig", ["location"] = $"{http.Request.Scheme}://{http.Request.Host}{ScimSchemas.Base}/ServiceProviderConfig" },
    };

    private static JsonObject User(HttpContext http) => ResourceType(http, "User", "/Users", ScimSchemas.User, ScimSchemas.EnterpriseUser);

    private static JsonObject Group(HttpContext http) => ResourceType(http, "Group", "/Groups", ScimSchemas.Group, null);

    private static JsonObject ResourceType(HttpContext http, string name, string endpoint, string schema, string? extension)
    {
        var type = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.ResourceType),
            ["id"] = name,
            ["name"] = name,
            ["endpoint"] = endpoint,
            ["schema"] = schema,
            ["meta"] = new JsonObject { ["resourceType"] = "ResourceType", ["location"] = $"{http.Request.Scheme}://{http.Request.Host}{ScimSchemas.Base}/ResourceTypes/{name}" },
        };
        if (extension is not null)
        {
            type["schemaExtensions"] = new JsonArray(new JsonObject { ["schema"] = extension, ["required"] = false });
        }

        return type;
    }

    private static IResult Json(JsonObject o) => Results.Text(ScimJson.Write(o), ScimSchemas.ContentType);

    private static IResult List(IReadOnlyList<JsonObject> items) => ScimResults.List(items, items.Count, 1);
}
