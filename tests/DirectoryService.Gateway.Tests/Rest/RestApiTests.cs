using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Rest;

/// <summary>Every RPC as HTTP/JSON under /v1/ (gRPC JSON transcoding): same authentication, tenancy, permissions, audit and error model.</summary>
[Collection(SiloCollection.Name)]
public sealed class RestApiTests(SiloFixture silo)
{
    private async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpMethod method, string path, string? token, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await silo.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    [Fact]
    public async Task UsersGroupsMembersAndSignIn_WorkOverRest_AsOverGrpc()
    {
        var t = await silo.NewTenantAsync();
        var token = ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite);
        var (status, user) = await SendAsync(HttpMethod.Post, "/v1/users", token, new JsonObject { ["userPrincipalName"] = t.Upn("rest"), ["displayName"] = "Rest" });
        Assert.Equal(HttpStatusCode.OK, status);
        var id = user!["id"]!.GetValue<string>();

        Assert.Equal(id, (await SendAsync(HttpMethod.Get, $"/v1/users/{id}", token)).Body!["id"]!.GetValue<string>());
        Assert.Equal(id, (await SendAsync(HttpMethod.Get, $"/v1/users:lookup?userPrincipalName={t.Upn("REST")}", token)).Body!["id"]!.GetValue<string>());
        var updated = await SendAsync(HttpMethod.Patch, $"/v1/users/{id}?updateMask=jobTitle", token, new JsonObject { ["jobTitle"] = "Courier" });
        Assert.Equal("Courier", updated.Body!["jobTitle"]!.GetValue<string>());

        var group = (await SendAsync(HttpMethod.Post, "/v1/groups", token, new JsonObject { ["displayName"] = "Rest group", ["securityEnabled"] = true })).Body!;
        var added = await SendAsync(HttpMethod.Post, $"/v1/groups/{group["id"]}/members:add", token, new JsonObject { ["members"] = new JsonArray(new JsonObject { ["id"] = id, ["type"] = "OBJECT_TYPE_USER" }) });
        Assert.Equal(1, added.Body!["addedCount"]!.GetValue<int>());
        var signIn = await SendAsync(HttpMethod.Post, "/v1/signIn:resolve", token, new JsonObject { ["userPrincipalName"] = t.Upn("rest") });
        Assert.Equal([group["id"]!.GetValue<string>()], signIn.Body!["groupIds"]!.AsArray().Select(g => g!.GetValue<string>()));

        var grpc = await t.Users.GetUserAsync(new GetUserRequest { Id = id });
        Assert.Equal("Courier", grpc.JobTitle);
    }

    [Fact]
    public async Task Delta_WorksOverRest()
    {
        var t = await silo.NewTenantAsync();
        var token = ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite);
        var latest = await SendAsync(HttpMethod.Get, "/v1/users:delta?latest=true", token);
        Assert.Equal(HttpStatusCode.OK, latest.Status);
        var deltaToken = latest.Body!["deltaToken"]!.GetValue<string>();
        var user = await t.CreateUserAsync("rest-delta");

        var (status, page) = await SendAsync(HttpMethod.Get, $"/v1/users:delta?token={Uri.EscapeDataString(deltaToken)}", token);
        Assert.Equal(HttpStatusCode.OK, status);
        var change = Assert.Single(page!["users"]!.AsArray());
        Assert.Equal(user.Id, change!["user"]!["id"]!.GetValue<string>());
        var foreign = await SendAsync(HttpMethod.Get, $"/v1/groups:delta?token={Uri.EscapeDataString(deltaToken)}", token);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.Status);
        Assert.Equal(9, foreign.Body!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Refusals_AreJsonStatuses_WithTheSameFieldsAndDetails()
    {
        var t = await silo.NewTenantAsync();
        var token = ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite);
        var bad = await SendAsync(HttpMethod.Post, "/v1/users", token, new JsonObject { ["userPrincipalName"] = "nobody@elsewhere.example", ["displayName"] = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(3, bad.Body!["code"]!.GetValue<int>());
        Assert.Contains("user.user_principal_name", bad.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(bad.Body["details"]!.AsArray(), d => d!["@type"]!.GetValue<string>().EndsWith("google.rpc.BadRequest", StringComparison.Ordinal));

        using var garbled = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = new StringContent("{not json", Encoding.UTF8, "application/json") };
        garbled.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var garbledResponse = await silo.Http.SendAsync(garbled);
        var garbledBody = await garbledResponse.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.BadRequest == garbledResponse.StatusCode, garbledBody);
        Assert.Equal(3, JsonNode.Parse(garbledBody)!["code"]!.GetValue<int>());

        var anonymous = await SendAsync(HttpMethod.Get, "/v1/users", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(16, anonymous.Body!["code"]!.GetValue<int>());
        Assert.Equal("MissingToken", anonymous.Body["details"]![0]!["reason"]!.GetValue<string>());

        var reader = ClusterSettings.Token(t.Id, Permissions.UserRead);
        var victim = Guid.NewGuid().ToString();
        var forbidden = await SendAsync(HttpMethod.Delete, $"/v1/users/{victim}", reader);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Contains(Permissions.DirectoryReadWrite, forbidden.Body!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var audit = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        var records = (await audit.ListAuditRecordsAsync(new ListAuditRecordsRequest())).Records;
        // The field-level refusal and the body that did not parse: both audited, as over gRPC.
        Assert.Equal(2, records.Count(r => r.Operation == "/directory.v1.Users/CreateUser" && r.Result == "InvalidArgument"));
        Assert.Contains(records, r => r.Operation == "/directory.v1.Users/DeleteUser" && r.Result == "PermissionDenied" && r.TargetIds.SequenceEqual([victim]));
    }
}
