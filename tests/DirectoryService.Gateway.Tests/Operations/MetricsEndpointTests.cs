using System.Net;
using DirectoryService.Gateway.Tests.Import;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Silo.Hosting;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>The Prometheus endpoint answers on its loopback endpoint only, with the storage figures of each operation.</summary>
[Collection(DashboardSiloCollection.Name)]
public sealed class MetricsEndpointTests(DashboardSiloFixture silo)
{
    [Fact]
    public async Task Metrics_AreServedOnTheirLoopbackEndpoint_WithStorageFiguresByOperation_AndNowhereElse()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateGroupAsync("scraped");

        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.MetricsPort}") };
        var text = await scraper.GetStringAsync("/metrics");
        Assert.Contains("directory_storage_calls_total{", text);
        Assert.Matches("""directory_storage_round_trips_count\{[^}]*operation="/directory.v1.Groups/CreateGroup"[^}]*\} [1-9]""", text);

        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync("/metrics")).StatusCode);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Host = $"127.0.0.1:{silo.MetricsPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.SendAsync(spoofed)).StatusCode);
    }

    [Fact]
    public async Task AnImport_WaitsForItsTurnsOnTheStorageConnections_AndTheWaitsAreReported()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.MetricsPort}") };
        var before = BulkWaits(await scraper.GetStringAsync("/metrics"));

        var (rejections, _) = await t.ImportAsync([r.User("B1"), r.User("B2"), r.Group("BG"), r.Member("BG", "B1")]);
        Assert.Empty(rejections);

        // Every storage request the import caused, on the gateway and in its grains, took a turn.
        Assert.True(BulkWaits(await scraper.GetStringAsync("/metrics")) >= before + 4);
    }

    /// <summary>How many bulk requests took a turn so far, from the Prometheus text.</summary>
    private static long BulkWaits(string metrics) =>
        System.Text.RegularExpressions.Regex.Match(metrics, """directory_storage_bulk_wait(_seconds)?_count(\{[^}]*\})? (\d+)""") is { Success: true } m ? long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [Theory]
    [InlineData("http://0.0.0.0:5081")]
    [InlineData("https://127.0.0.1:5081")]
    [InlineData("not a url")]
    public void AMetricsEndpointOffLoopback_StopsTheSilo_NamingTheSetting(string url) =>
        Assert.Contains(new MetricsEndpointOptions { PrometheusUrl = url }.Problems(), p => p.Contains("Directory:Metrics:PrometheusUrl", StringComparison.Ordinal));

    [Fact]
    public void NoMetricsEndpoint_ByDefault() => Assert.False(new MetricsEndpointOptions().Enabled);
}
