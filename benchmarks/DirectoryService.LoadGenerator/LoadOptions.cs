using System.Globalization;

namespace DirectoryService.LoadGenerator;

/// <summary>Command-line options: <c>--name value</c> pairs.</summary>
public sealed record LoadOptions(
    Uri Target, string Workload, int Concurrency, TimeSpan Duration, TimeSpan Warmup, string Tenant, int Seed, string DevKey)
{
    public const string Usage =
        "usage: DirectoryService.LoadGenerator --workload ping|get-user|create-user|add-remove-member [--target http://127.0.0.1:5000] " +
        "[--concurrency 32] [--duration 10] [--warmup 3] [--tenant bench] [--seed 1] --dev-key FILE (the silo's Directory:Auth:DevelopmentSigningKeyFile)";

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
            values.TryGetValue("dev-key", out var key) ? key : throw new ArgumentException(Usage));
    }
}
