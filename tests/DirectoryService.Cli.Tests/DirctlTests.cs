using System.Diagnostics;
using System.Text.Json;
using DirectoryService.Testing;

namespace DirectoryService.Cli.Tests;

/// <summary>dirctl against a real silo process on Azurite: the commands a README reader types, paging with --all, and refusals.</summary>
public sealed class DirctlTests : IAsyncLifetime
{
    private SiloProcess _silo = null!;
    private string _tenant = "";

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync("cli", await ClusterSettings.NewAsync());
        _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Commands_CreateAndPageThroughTheDirectory()
    {
        var operatorToken = ClusterSettings.Token(null, "Directory.Operator");
        var (code, output) = await RunAsync(operatorToken, "tenant", "create", _tenant, "CLI tenant", $"{_tenant}.example.com");
        Assert.True(code == 0, output);

        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
        var users = new List<string>();
        foreach (var name in new[] { "ann", "ben", "cat" })
        {
            (code, output) = await RunAsync(writer, "user", "create", $"{name}@{_tenant}.example.com", name, "--department", "Sales", "--id");
            Assert.True(code == 0, output);
            users.Add(output.Trim());
        }

        (code, output) = await RunAsync(writer, "group", "create", "Sales", "--security", "--id");
        Assert.True(code == 0, output);
        var group = output.Trim();
        (code, output) = await RunAsync(writer, ["member", "add", group, .. users.Select(u => "user:" + u)]);
        Assert.True(code == 0, output);

        // One page of two, then --all follows the token through every page.
        (code, output) = await RunAsync(writer, "member", "list", group, "--page-size", "2");
        Assert.True(code == 0, output);
        using (var page = JsonDocument.Parse(output))
        {
            Assert.Equal(2, page.RootElement.GetProperty("members").GetArrayLength());
            Assert.NotEqual("", page.RootElement.GetProperty("nextPageToken").GetString());
        }

        (code, output) = await RunAsync(writer, "user", "list", "--page-size", "2", "--all");
        Assert.True(code == 0, output);
        using (var all = JsonDocument.Parse(output))
        {
            Assert.Equal(users.Order(), all.RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()!).Order());
            Assert.Equal("", all.RootElement.GetProperty("nextPageToken").GetString());
        }

        // For a person: one row per user, the columns any of them fills.
        (code, output) = await RunAsync(writer, "user", "list", "--all", "--output", "table");
        Assert.True(code == 0, output);
        var rows = output.Trim().Split('\n');
        Assert.Equal(4, rows.Length);
        Assert.StartsWith("id ", rows[0], StringComparison.Ordinal);
        Assert.Contains("department", rows[0], StringComparison.Ordinal);
        Assert.DoesNotContain("jobTitle", rows[0], StringComparison.Ordinal);
        Assert.All(users, u => Assert.Contains(rows, r => r.StartsWith(u, StringComparison.Ordinal) && r.Contains("Sales", StringComparison.Ordinal)));

        (code, output) = await RunAsync(writer, "signin", "resolve", $"ben@{_tenant}.example.com");
        Assert.True(code == 0, output);
        Assert.Contains(group, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_ExitOneAndNameTheField_UsageErrorsExitTwo()
    {
        var operatorToken = ClusterSettings.Token(null, "Directory.Operator");
        Assert.Equal(0, (await RunAsync(operatorToken, "tenant", "create", _tenant, "CLI tenant", $"{_tenant}.example.com")).Code);
        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");

        var (code, output) = await RunAsync(writer, "user", "create", "not-an-upn", "Nobody");
        Assert.True(code == 1, output);
        Assert.Contains("InvalidArgument", output, StringComparison.Ordinal);
        Assert.Contains("(field: user.user_principal_name)", output, StringComparison.Ordinal);

        (code, output) = await RunAsync(writer, "member", "add", Guid.NewGuid().ToString(), "someone");
        Assert.True(code == 2, output);
        Assert.Contains("'someone' is not user:ID or group:ID", output, StringComparison.Ordinal);

        (code, output) = await RunAsync(writer, "user", "frobnicate");
        Assert.True(code == 2, output);

        // Without a token the service refuses, and says so.
        (code, output) = await RunAsync(null, "user", "list");
        Assert.True(code == 1, output);
        Assert.Contains("Unauthenticated", output, StringComparison.Ordinal);
    }

    private Task<(int Code, string Output)> RunAsync(string? token, params string[] args) =>
        Dirctl.RunAsync(["--target", $"http://127.0.0.1:{_silo.GrpcPort}", "--tenant", _tenant, .. token is null ? Array.Empty<string>() : ["--token", token], .. args]);
}

/// <summary>Runs the built dirctl as a user does, returning its exit code and everything it printed.</summary>
public static class Dirctl
{
    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepoPaths.CliAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "DIRECTORY_TARGET", "DIRECTORY_TENANT", "DIRECTORY_TOKEN", "DIRECTORY_DEV_KEY", "DIRECTORY_CA" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
