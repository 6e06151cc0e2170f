using System.Globalization;

namespace DirectoryService.LoadGenerator;

/// <summary>Command-line options: <c>--name value</c> pairs.</summary>
public sealed record LoadOptions(
    Uri Target, string Workload, int Concurrency, TimeSpan Duration, TimeSpan Warmup, string Tenant, int Seed, string DevKey,
    double Scale, string Ids, string Phase, string? Background, int BackgroundConcurrency, Uri? ScimTarget, Uri? Metrics)
{
    public const string Usage =
        "usage: DirectoryService.LoadGenerator --workload WORKLOAD --dev-key FILE (the silo's Directory:Auth:DevelopmentSigningKeyFile)\n" +
        "  [--target http://127.0.0.1:5000] [--concurrency 32] [--duration 10] [--warmup 3] [--tenant bench] [--seed 1]\n" +
        "  [--scale 1] [--ids dataset.ids] [--phase users|groups|members] [--background WORKLOAD --background-concurrency 8] [--scim-target http://127.0.0.1:5001]\n" +
        "  [--metrics http://127.0.0.1:5081/metrics (the silo's Prometheus endpoint: adds storage calls and sequential round trips per call, by operation)]\n" +
        "workloads: ready (waits up to --duration for the silo to report SERVING); ping, create-user (need nothing);\n" +
        "  create-user-acked (creates, each acknowledged id and name appended to {ids}.acked), verify-acked (reads every one of them back by id and by name);\n" +
        "  delta-empty (DeltaUsers with the last answer's token, nothing changing), watch (each caller follows the groups feed; one operation per change delivered: run it as B of A+B);\n" +
        "  import (loads the dataset with the bulk import, recording ids in --ids); import-again (the same import over the loaded dataset: must change nothing);\n" +
        "  load (loads the dataset object by object through the API, one --phase at a time, recording ids in --ids);\n" +
        "  get-user-upn, signin, cold-signin, member-groups, check-groups, add-remove (need the loaded dataset of the same --scale and --seed);\n" +
        "  warm (every user of the loaded dataset signs in once, all measured);\n" +
        "  scim-get-user-upn, scim-add-remove (the SCIM forms of get-user-upn and add-remove, over HTTP/1.1 to --scim-target);\n" +
        "  get-user (gRPC, by id), rest-get-user, rest-signin (GET /v1/users/{id} and POST /v1/signIn:resolve over HTTP/1.1 to --scim-target, the silo's HTTP/1.1 endpoint)";

    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --option, got '{args[i]}'\n{Usage}");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        return new LoadOptions(
            new Uri(Get("target", "http://127.0.0.1:5000")),
            values.TryGetValue("workload", out var workload) ? workload : throw new ArgumentException(Usage),
            Int("concurrency", 32),
            TimeSpan.FromSeconds(Int("duration", 10)),
            TimeSpan.FromSeconds(Int("warmup", 3)),
            Get("tenant", "bench"),
            Int("seed", 1),
            values.TryGetValue("dev-key", out var key) ? key : throw new ArgumentException(Usage),
            double.Parse(Get("scale", "1"), CultureInfo.InvariantCulture),
            Get("ids", "dataset.ids"),
            Get("phase", "users"),
            values.GetValueOrDefault("background"),
            Int("background-concurrency", 8),
            values.TryGetValue("scim-target", out var scim) ? new Uri(scim) : null,
            values.TryGetValue("metrics", out var metrics) ? new Uri(metrics) : null);
    }
}
