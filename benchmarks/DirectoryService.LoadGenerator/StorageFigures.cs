using System.Globalization;
using System.Text.RegularExpressions;

namespace DirectoryService.LoadGenerator;

/// <summary>
/// What storage did per API call during a run, read off the silo's Prometheus endpoint
/// (<c>Directory:Metrics:PrometheusUrl</c>) before and after it: per operation, the calls answered
/// (<c>calls</c>), storage calls per call (<c>directory.storage.calls</c>) and sequential storage
/// round trips per call (<c>directory.storage.round_trips</c>).
/// </summary>
public static partial class StorageFigures
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Per operation: storage calls counted, and the round-trip histogram's sum and count.</summary>
    public sealed record Totals(Dictionary<string, (double Calls, double TripSum, double TripCount)> ByOperation);

    /// <summary>One operation's figures over a run.</summary>
    public sealed record Figures(long Calls, double StorageCallsPerCall, double RoundTripsPerCall);

    public static async Task<Totals> ScrapeAsync(Uri metrics)
    {
        var text = await Http.GetStringAsync(metrics);
        var totals = new Dictionary<string, (double Calls, double TripSum, double TripCount)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var operation = match.Groups["operation"].Value;
            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            var (calls, sum, count) = totals.GetValueOrDefault(operation);
            totals[operation] = match.Groups["name"].Value switch
            {
                "directory_storage_calls_total" => (calls + value, sum, count),
                "directory_storage_round_trips_sum" => (calls, sum + value, count),
                "directory_storage_round_trips_count" => (calls, sum, count + value),
                _ => (calls, sum, count),
            };
        }

        return new Totals(totals);
    }

    /// <summary>The figures of every operation answered between two scrapes.</summary>
    public static Dictionary<string, Figures> Between(Totals before, Totals after)
    {
        var figures = new Dictionary<string, Figures>(StringComparer.Ordinal);
        foreach (var (operation, (calls, sum, count)) in after.ByOperation)
        {
            var (callsBefore, sumBefore, countBefore) = before.ByOperation.GetValueOrDefault(operation);
            var answered = count - countBefore;
            if (answered > 0)
            {
                figures[operation] = new Figures((long)answered, Math.Round((calls - callsBefore) / answered, 2), Math.Round((sum - sumBefore) / answered, 2));
            }
        }

        return figures;
    }

    [GeneratedRegex("""^(?<name>directory_storage_(?:calls_total|round_trips_sum|round_trips_count))\{[^}]*operation="(?<operation>[^"]*)"[^}]*\}\s+(?<value>[0-9.eE+-]+)""")]
    private static partial Regex Sample();
}
