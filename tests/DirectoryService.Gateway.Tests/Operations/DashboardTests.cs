using System.Net;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Silo.Hosting;
using DirectoryService.Testing;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>A silo with the operators' dashboard and its Prometheus endpoint, each on a loopback port of its own.</summary>
public sealed class DashboardSiloFixture : SiloFixture
{
    private static readonly int[] Ports = FreePorts.Take(2);

    public int DashboardPort => Ports[0];

    public int MetricsPort => Ports[1];

    protected override Dictionary<string, string?> ExtraSettings => new()
    {
        ["Directory:Dashboard:Enabled"] = "true",
        ["Directory:Dashboard:Url"] = $"http://127.0.0.1:{DashboardPort}",
        ["Directory:Metrics:PrometheusUrl"] = $"http://127.0.0.1:{MetricsPort}",
    };
}

[CollectionDefinition(Name)]
public sealed class DashboardSiloCollection : ICollectionFixture<DashboardSiloFixture>
{
    public const string Name = "dashboard silo";
}

/// <summary>The Orleans Dashboard answers on its loopback endpoint only: never on the public one, whatever Host a request claims.</summary>
[Collection(DashboardSiloCollection.Name)]
public sealed class DashboardTests(DashboardSiloFixture silo)
{
    [Fact]
    public async Task TheDashboard_IsServedOnItsLoopbackEndpoint_AndNowhereElse()
    {
        using var operators = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.DashboardPort}") };
        using var page = await operators.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync("/dashboard/")).StatusCode);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        spoofed.Headers.Host = $"127.0.0.1:{silo.DashboardPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.SendAsync(spoofed)).StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://10.1.2.3:5080")]
    [InlineData("https://127.0.0.1:5080")]
    [InlineData("not a url")]
    public void ADashboardEndpointOffLoopback_StopsTheSilo_NamingTheSetting(string url) =>
        Assert.Contains(new OperatorDashboardOptions { Url = url }.Problems(), p => p.Contains("Directory:Dashboard:Url", StringComparison.Ordinal));
}
