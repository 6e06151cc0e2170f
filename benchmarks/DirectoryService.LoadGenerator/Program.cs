using System.Text.Json;
using DirectoryService.LoadGenerator;
using DirectoryService.LoadGenerator.Workloads;
using DirectoryService.Security;
using Grpc.Net.Client;

var options = LoadOptions.Parse(args);
using var channel = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
{
    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
});
var tenant = new TenantClients(channel, options.Tenant, DevelopmentSigningKey.LoadOrCreate(options.DevKey));
IWorkload workload = options.Workload switch
{
    "ping" => new PingWorkload(tenant),
    "get-user" => new GetUserWorkload(tenant, users: 1000, options.Seed),
    "create-user" => new CreateUserWorkload(tenant),
    "add-remove-member" => new AddRemoveMemberWorkload(tenant, options.Concurrency, groups: 64),
    _ => throw new ArgumentException($"unknown workload '{options.Workload}'\n{LoadOptions.Usage}"),
};

await workload.PrepareAsync();
var result = await LoadRunner.RunAsync(workload, options);
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
return result.Errors == 0 && result.Mismatches == 0 ? 0 : 1;
