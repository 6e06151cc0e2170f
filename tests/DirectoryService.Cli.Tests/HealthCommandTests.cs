using DirectoryService.Testing;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Cli.Tests;

/// <summary><c>dirctl health</c> exits 0 only when the server is SERVING, so a script waiting for readiness does not stop early.</summary>
public sealed class HealthCommandTests
{
    [Theory]
    [InlineData(HealthCheckResponse.Types.ServingStatus.Serving, 0)]
    [InlineData(HealthCheckResponse.Types.ServingStatus.NotServing, 3)]
    public async Task Health_ExitsZeroOnlyWhenServing(HealthCheckResponse.Types.ServingStatus status, int exitCode)
    {
        var port = FreePorts.Take(1)[0];
        var health = new HealthServiceImpl();
        health.SetStatus("", status);
        var builder = WebApplication.CreateBuilder();
        // Only this test's endpoint: the silo's appsettings (built alongside for DirctlTests) must not add its own.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(health);
        await using var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();

        var (code, output) = await RunAsync("--target", $"http://127.0.0.1:{port}", "health");

        Assert.True(exitCode == code, $"dirctl health exited {code} for {status}: {output}");
        Assert.Contains(status == HealthCheckResponse.Types.ServingStatus.Serving ? "\"SERVING\"" : "\"NOT_SERVING\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_ShowsTheHttpsDefaultTarget()
    {
        var (code, output) = await RunAsync();
        Assert.Equal(2, code);
        Assert.Contains("--target https://127.0.0.1:5000", output, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Output)> RunAsync(params string[] args) => Dirctl.RunAsync(args);
}
