using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>
/// The SCIM counterparts of <see cref="GetUserByUpnWorkload"/> and <see cref="AddRemoveWorkload"/>,
/// over HTTP/1.1 as provisioning clients call (one connection per caller), measured in the same run
/// as their gRPC counterparts.
/// </summary>
public static class ScimHttp
{
    public static HttpClient Client(Uri target, string token, int concurrency)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = target };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestVersion = System.Net.HttpVersion.Version11;
        return client;
    }

    public static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/scim+json");
}

/// <summary><c>GET /scim/v2/Users?filter=userName eq "…"</c>: what Entra ID asks before every create.</summary>
public sealed class ScimGetUserByUpnWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, HttpClient http) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        var filter = Uri.EscapeDataString($"userName eq \"{Upn(user)}\"");
        using var response = await http.GetAsync($"/scim/v2/Users?filter={filter}&excludedAttributes=emails");
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        if (iteration % CheckEvery == 0)
        {
            Expect(JsonNode.Parse(body)?["Resources"]?[0]?["id"]?.GetValue<string>() == Ids.Users[user]);
        }
    }
}

/// <summary>PATCH a group adding a member, then removing it: the SCIM form of AddMembers / RemoveMember.</summary>
public sealed class ScimAddRemoveWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, int concurrency, HttpClient http)
    : AddRemoveWorkload(tenant, dataset, idsPath, concurrency)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var (member, group, add) = Pair(worker, iteration);
        var operation = add
            ? new JsonObject { ["op"] = "add", ["path"] = "members", ["value"] = new JsonArray(new JsonObject { ["value"] = member }) }
            : new JsonObject { ["op"] = "remove", ["path"] = $"members[value eq \"{member}\"]" };
        var patch = new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:api:messages:2.0:PatchOp"),
            ["Operations"] = new JsonArray(operation),
        };
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/scim/v2/Groups/{group}?excludedAttributes=members") { Content = ScimHttp.Json(patch) };
        using var response = await http.SendAsync(request);
        Expect(response.IsSuccessStatusCode);
        response.EnsureSuccessStatusCode();
    }
}
