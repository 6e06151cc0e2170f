using System.Diagnostics;
using System.Text.Json;
using DirectoryService.LoadGenerator;
using DirectoryService.LoadGenerator.Dataset;
using DirectoryService.LoadGenerator.Workloads;
using DirectoryService.Security;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

var options = LoadOptions.Parse(args);
using var channel = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
{
    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
});
var tenant = new TenantClients(channel, options.Tenant, DevelopmentSigningKey.LoadOrCreate(options.DevKey));
var dataset = new Lazy<Dataset>(() => new Dataset(options.Scale, options.Seed));
var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

if (options.Workload == "ready")
{
    // Waits (up to --duration) until the silo reports SERVING: it is active and has warmed its caches.
    var health = new Health.HealthClient(channel);
    var watch = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                break;
            }
        }
        catch (RpcException) when (watch.Elapsed < options.Duration)
        {
        }

        if (watch.Elapsed >= options.Duration)
        {
            Console.Error.WriteLine($"the silo did not report SERVING within {options.Duration}");
            return 1;
        }

        await Task.Delay(200);
    }

    Console.WriteLine(JsonSerializer.Serialize(new { Workload = "ready", Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1) }, json));
    return 0;
}

if (options.Workload is "import" or "import-again")
{
    var imported = await new DatasetImport(tenant, dataset.Value, options.Ids).RunAsync(options.Workload);
    Console.WriteLine(JsonSerializer.Serialize(imported, json));
    return 0;
}

if (options.Workload == "load")
{
    var loaded = await new DatasetLoader(tenant, dataset.Value, options.Ids, options.Concurrency).RunAsync(options.Phase);
    Console.WriteLine(JsonSerializer.Serialize(loaded, json));
    return 0;
}

if (options.Workload == "verify-acked")
{
    Console.WriteLine(JsonSerializer.Serialize(await AcknowledgedUsers.VerifyAsync(tenant, options.Ids), json));
    return 0;
}

if (options.Workload == "warm")
{
    // Every user signs in once (a fixed permutation, as cold-signin walks it), all measured: fills the
    // caches, so the timed read runs that follow measure warm reads instead of first reads.
    var users = dataset.Value.UserCount;
    var warm = new SignInWorkload(tenant, dataset.Value, options.Ids, cold: true);
    await warm.PrepareAsync();
    var result = await LoadRunner.RunAsync(warm, options, calls: users);
    Console.WriteLine(JsonSerializer.Serialize(result, json));
    return result.Errors == 0 && result.Mismatches == 0 ? 0 : 1;
}

IWorkload Create(string name, int concurrency) => name switch
{
    "ping" => new PingWorkload(tenant),
    "create-user" => new CreateUserWorkload(tenant),
    "get-user-upn" => new GetUserByUpnWorkload(tenant, dataset.Value, options.Ids),
    "signin" => new SignInWorkload(tenant, dataset.Value, options.Ids, cold: false),
    "cold-signin" => new SignInWorkload(tenant, dataset.Value, options.Ids, cold: true),
    "member-groups" => new MemberGroupsWorkload(tenant, dataset.Value, options.Ids),
    "check-groups" => new CheckGroupsWorkload(tenant, dataset.Value, options.Ids),
    "add-remove" => new AddRemoveWorkload(tenant, dataset.Value, options.Ids, concurrency),
    "scim-get-user-upn" => new ScimGetUserByUpnWorkload(tenant, dataset.Value, options.Ids, Scim(concurrency)),
    "scim-add-remove" => new ScimAddRemoveWorkload(tenant, dataset.Value, options.Ids, concurrency, Scim(concurrency)),
    "get-user" => new GetUserWorkload(tenant, dataset.Value, options.Ids),
    "rest-get-user" => new RestGetUserWorkload(tenant, dataset.Value, options.Ids, Scim(concurrency)),
    "rest-signin" => new RestSignInWorkload(tenant, dataset.Value, options.Ids, Scim(concurrency)),
    "delta-empty" => new EmptyDeltaWorkload(tenant),
    "create-user-acked" => new AcknowledgedCreatesWorkload(tenant, options.Ids),
    "watch" => new WatchWorkload(tenant, concurrency),
    _ => throw new ArgumentException($"unknown workload '{name}'\n{LoadOptions.Usage}"),
};

HttpClient Scim(int concurrency) => ScimHttp.Client(
    options.ScimTarget ?? throw new ArgumentException($"SCIM workloads need --scim-target\n{LoadOptions.Usage}"), tenant.Token, concurrency);

// The measured workload, and optionally a background one running at the same time (e.g. reads
// while durable writes go on), each with its own figures.
List<(IWorkload Workload, LoadOptions Options)> runs = [(Create(options.Workload, options.Concurrency), options)];
if (options.Background is { } background)
{
    runs.Add((Create(background, options.BackgroundConcurrency), options with { Workload = background, Concurrency = options.BackgroundConcurrency, Metrics = null }));
}

foreach (var (workload, _) in runs)
{
    await workload.PrepareAsync();
}

var results = await Task.WhenAll(runs.Select(r => LoadRunner.RunAsync(r.Workload, r.Options)));
foreach (var result in results)
{
    Console.WriteLine(JsonSerializer.Serialize(result, json));
}

return results.All(r => r.Errors == 0 && r.Mismatches == 0) ? 0 : 1;
