using System.Diagnostics;
using System.Text.Json;
using DirectoryService.Testing;

namespace DirectoryService.Cli.Tests;

/// <summary><c>dirctl delta</c> and <c>dirctl watch</c> against a real silo process, as the README shows them.</summary>
public sealed class ChangesCommandTests : IAsyncLifetime
{
    private SiloProcess _silo = null!;
    private string _tenant = "";
    private string _writer = "";

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync("cli-changes", await ClusterSettings.NewAsync());
        _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
        var (code, output) = await RunAsync(ClusterSettings.Token(null, "Directory.Operator"), "tenant", "create", _tenant, "Changes", $"{_tenant}.example.com");
        Assert.True(code == 0, output);
        _writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Delta_EnumeratesThenReportsWhatChanged()
    {
        var ann = await CreateUserAsync("ann");
        await CreateUserAsync("ben");

        var (code, output) = await RunAsync(_writer, "delta", "users", "--all", "--page-size", "1");
        Assert.True(code == 0, output);
        using (var round = JsonDocument.Parse(output))
        {
            Assert.Equal(2, round.RootElement.GetProperty("users").GetArrayLength());
            Assert.Equal("", round.RootElement.GetProperty("nextPageToken").GetString());
            var token = round.RootElement.GetProperty("deltaToken").GetString()!;
            Assert.NotEmpty(token);

            (code, output) = await RunAsync(_writer, "user", "delete", ann);
            Assert.True(code == 0, output);
            (code, output) = await RunAsync(_writer, "delta", "users", "--token", token);
            Assert.True(code == 0, output);
        }

        using var changed = JsonDocument.Parse(output);
        var user = Assert.Single(changed.RootElement.GetProperty("users").EnumerateArray());
        Assert.Equal(ann, user.GetProperty("id").GetString());
        Assert.Equal("REMOVED_REASON_DELETED", user.GetProperty("removed").GetProperty("reason").GetString());

        (code, output) = await RunAsync(_writer, "delta", "groups", "--token", "garbage");
        Assert.Equal(1, code);
        Assert.Contains("(field: token)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_PrintsOneLinePerChange_AndStopsCleanlyOnInterrupt()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[RepoPaths.CliAssembly, "--target", $"http://127.0.0.1:{_silo.GrpcPort}", "--tenant", _tenant, "--token", _writer, "watch", "users", "--heartbeat", "1"])
        {
            start.ArgumentList.Add(arg);
        }

        using var watch = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = JsonDocument.Parse((await watch.StandardOutput.ReadLineAsync(timeout.Token))!);
        Assert.True(first.RootElement.GetProperty("heartbeat").GetBoolean());

        var id = await CreateUserAsync("cat");
        JsonElement change;
        do
        {
            change = JsonDocument.Parse((await watch.StandardOutput.ReadLineAsync(timeout.Token))!).RootElement;
        }
        while (!change.TryGetProperty("change", out _));

        Assert.Equal(id, change.GetProperty("change").GetProperty("id").GetString());
        Assert.Equal($"cat@{_tenant}.example.com", change.GetProperty("change").GetProperty("user").GetProperty("userPrincipalName").GetString());
        Assert.NotEmpty(change.GetProperty("token").GetString()!);

        Assert.Equal(0, SiloProcess.Signal(watch.Id, 2));
        await watch.WaitForExitAsync(timeout.Token);
        Assert.True(watch.ExitCode == 0, await watch.StandardError.ReadToEndAsync());
    }

    private async Task<string> CreateUserAsync(string name)
    {
        var (code, output) = await RunAsync(_writer, "user", "create", $"{name}@{_tenant}.example.com", name, "--id");
        Assert.True(code == 0, output);
        return output.Trim();
    }

    private Task<(int Code, string Output)> RunAsync(string? token, params string[] args) =>
        Dirctl.RunAsync(["--target", $"http://127.0.0.1:{_silo.GrpcPort}", "--tenant", _tenant, .. token is null ? Array.Empty<string>() : ["--token", token], .. args]);
}
