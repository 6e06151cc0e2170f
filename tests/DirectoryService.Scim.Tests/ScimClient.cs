using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Security;
using DirectoryService.Testing;

namespace DirectoryService.Scim.Tests;

/// <summary>A SCIM client of one tenant over HTTP/1.1, as a provisioning service calls the endpoint.</summary>
public sealed class ScimClient(SiloFixture silo, string? token)
{
    public static ScimClient For(SiloFixture silo, TestTenant tenant, params string[] permissions) =>
        new(silo, ClusterSettings.Token(tenant.Id, permissions.Length > 0 ? permissions : [Permissions.DirectoryReadWrite]));

    public async Task<ScimResponse> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null, string contentType = "application/scim+json")
    {
        using var request = new HttpRequestMessage(method, "/scim/v2" + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            var text = body as string ?? ((JsonNode)body).ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await silo.Http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return new ScimResponse(response.StatusCode, content.Length == 0 ? null : JsonNode.Parse(content) as JsonObject,
            response.Headers.ETag?.ToString(), response.Headers.Location?.ToString(), response.Content.Headers.ContentType?.MediaType);
    }

    public Task<ScimResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ScimResponse> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    public Task<ScimResponse> PutAsync(string path, object body, string? ifMatch = null) => SendAsync(HttpMethod.Put, path, body, ifMatch);

    public Task<ScimResponse> PatchAsync(string path, object body, string? ifMatch = null) => SendAsync(HttpMethod.Patch, path, body, ifMatch);

    public Task<ScimResponse> DeleteAsync(string path, string? ifMatch = null) => SendAsync(HttpMethod.Delete, path, ifMatch: ifMatch);

    /// <summary>A PatchOp message with the given operations.</summary>
    public static JsonObject Patch(params JsonObject[] operations) => new()
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:api:messages:2.0:PatchOp"),
        ["Operations"] = new JsonArray(operations),
    };

    public static JsonObject Op(string op, string? path, JsonNode? value)
    {
        var operation = new JsonObject { ["op"] = op };
        if (path is not null)
        {
            operation["path"] = path;
        }

        if (value is not null)
        {
            operation["value"] = value;
        }

        return operation;
    }

    public static JsonObject User(string userName, Action<JsonObject>? configure = null)
    {
        var user = new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:User"),
            ["userName"] = userName,
            ["active"] = true,
        };
        configure?.Invoke(user);
        return user;
    }
}

/// <summary>What a SCIM call answered.</summary>
public sealed record ScimResponse(HttpStatusCode Status, JsonObject? Body, string? ETag, string? Location, string? MediaType)
{
    public string Id => Body!["id"]!.GetValue<string>();

    public string? Text(string name) => Body?[name]?.GetValue<string>();

    /// <summary>Asserts a SCIM error: status, scimType, and that the detail contains <paramref name="says"/>.</summary>
    public void AssertError(HttpStatusCode status, string? scimType, string? says = null)
    {
        Assert.True(status == Status, $"expected {status}, got {Status}: {Body?.ToJsonString()}");
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", Body?["schemas"]?[0]?.GetValue<string>());
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), Text("status"));
        Assert.Equal(scimType, Text("scimType"));
        if (says is not null)
        {
            Assert.Contains(says, Text("detail"), StringComparison.Ordinal);
        }
    }
}
