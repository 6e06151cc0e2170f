using System.Text;
using System.Text.Json.Nodes;
using DirectoryService.Grpc.V1;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary><c>GetUser</c> by id over gRPC: the counterpart of <see cref="RestGetUserWorkload"/>.</summary>
public sealed class GetUserWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        var answer = await Tenant.Users.GetUserAsync(new GetUserRequest { Id = Ids.Users[user] });
        Expect(answer.UserPrincipalName == Upn(user));
    }
}

/// <summary><c>GET /v1/users/{id}</c> over HTTP/1.1 (JSON transcoding), as an admin portal or curl calls it.</summary>
public sealed class RestGetUserWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, HttpClient http) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        using var response = await http.GetAsync($"/v1/users/{Ids.Users[user]}");
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        Expect(JsonNode.Parse(body)?["userPrincipalName"]?.GetValue<string>() == Upn(user));
    }
}

/// <summary><c>POST /v1/signIn:resolve</c> over HTTP/1.1: the REST form of <see cref="SignInWorkload"/>, sampled answers checked against the ground truth.</summary>
public sealed class RestSignInWorkload(TenantClients tenant, Dataset.Dataset dataset, string idsPath, HttpClient http) : DatasetWorkload(tenant, dataset, idsPath)
{
    public override async Task ExecuteAsync(int worker, long iteration)
    {
        var user = UserFor(worker, iteration);
        using var content = new StringContent(new JsonObject { ["userPrincipalName"] = Upn(user) }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v1/signIn:resolve", content);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        if (iteration % CheckEvery == 0)
        {
            var answer = JsonNode.Parse(body)!;
            var truth = TruthOf(user);
            var groups = answer["groupIds"]?.AsArray().Select(g => g!.GetValue<string>()).ToHashSet() ?? [];
            var overage = answer["groupsOverage"]?.GetValue<bool>() ?? false;
            Expect(answer["userId"]?.GetValue<string>() == Ids.Users[user] && (truth.Count > 200 ? overage && groups.Count == 0 : !overage && truth.SetEquals(groups)));
        }
    }
}
