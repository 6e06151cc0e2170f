using System.Text.Json;
using DirectoryService.Cli.Import;
using DirectoryService.Testing;

namespace DirectoryService.Cli.Tests;

/// <summary><c>dirctl import</c> against a real silo process: the README's example files as printed, a re-run, rejections traced to their line.</summary>
public sealed class ImportCommandTests : IAsyncLifetime
{
    private static readonly string Examples = Path.Combine(RepoPaths.Root, "docs", "examples", "import");

    private SiloProcess _silo = null!;
    private string _tenant = "";

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync("cli-import", await ClusterSettings.NewAsync());
        _tenant = "t" + Guid.NewGuid().ToString("N")[..8];
        var (code, output) = await RunAsync(ClusterSettings.Token(null, "Directory.Operator"), "tenant", "create", _tenant, "Contoso", "contoso.com");
        Assert.True(code == 0, output);
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Import_LoadsTheExampleFiles_AndRunningItAgainChangesNothing()
    {
        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
        string[] files = ["import", "--users", Path.Combine(Examples, "users.csv"), "--groups", Path.Combine(Examples, "groups.csv"), "--memberships", Path.Combine(Examples, "memberships.csv")];

        var (code, output) = await RunAsync(writer, files);
        Assert.True(code == 0, output);
        // 15 rows; Cleo's manager comes after her in the file, so she is sent again once he exists.
        Assert.Equal((16, 15, 1, 0, 0), Summary(output));

        (code, output) = await RunAsync(writer, files);
        Assert.True(code == 0, output);
        Assert.Equal((16, 0, 0, 16, 0), Summary(output));

        (code, output) = await RunAsync(writer, "signin", "resolve", "farah@contoso.com");
        Assert.True(code == 0, output);
        using var resolved = JsonDocument.Parse(output);
        Assert.Equal(3, resolved.RootElement.GetProperty("groupIds").GetArrayLength());

        (code, output) = await RunAsync(writer, "user", "get", "cleo@contoso.com");
        Assert.True(code == 0, output);
        using var cleo = JsonDocument.Parse(output);
        (_, var erik) = await RunAsync(writer, "user", "get", "erik@contoso.com", "--id");
        Assert.Equal(erik.Trim(), cleo.RootElement.GetProperty("managerId").GetString());
        Assert.Equal("HR-1003", cleo.RootElement.GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task Import_ReportsEachRejectionWithItsFileAndLine_AndExitsOne()
    {
        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
        var users = Path.Combine(Path.GetTempPath(), $"users-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(users, ["external_id,user_principal_name,display_name", "X1,x1@contoso.com,Fine", "X2,x2@elsewhere.org,Foreign", "X3,\"x3@contoso.com\",\"Quoted, with a comma\""]);

        var (code, output) = await RunAsync(writer, "import", "--users", users);

        Assert.True(code == 1, output);
        Assert.Equal((3, 2, 0, 0, 1), Summary(output));
        var rejection = output.Split('\n').Single(l => l.StartsWith("{\"file\"", StringComparison.Ordinal));
        using var line = JsonDocument.Parse(rejection);
        Assert.Equal(Path.GetFileName(users), line.RootElement.GetProperty("file").GetString());
        Assert.Equal(3, line.RootElement.GetProperty("line").GetInt64());
        Assert.Equal("user.user_principal_name", line.RootElement.GetProperty("field").GetString());
        Assert.Equal("INVALID_ARGUMENT", line.RootElement.GetProperty("code").GetString());
        (code, output) = await RunAsync(writer, "user", "get", "x3@contoso.com");
        Assert.Contains("Quoted, with a comma", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_RefusesAFileWithoutARequiredColumn_WithUsageExitTwo()
    {
        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
        var groups = Path.Combine(Path.GetTempPath(), $"groups-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(groups, ["external_id,name", "G1,Wrong header"]);

        var (code, output) = await RunAsync(writer, "import", "--groups", groups);

        Assert.True(code == 2, output);
        Assert.Contains("no 'display_name' column", output, StringComparison.Ordinal);
        (code, output) = await RunAsync(writer, "import");
        Assert.True(code == 2, output);
    }

    [Fact]
    public async Task Import_RetriesAnUnreachableService_AsManyTimesAsAsked_ThenFails()
    {
        var writer = ClusterSettings.Token(_tenant, "Directory.ReadWrite.All");
        var users = Path.Combine(Path.GetTempPath(), $"users-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(users, ["external_id,user_principal_name,display_name", "R1,r1@contoso.com,R One"]);
        var nobody = $"http://127.0.0.1:{FreePorts.Take(1)[0]}";

        var (code, output) = await Dirctl.RunAsync(["--target", nobody, "--tenant", _tenant, "--token", writer, "import", "--users", users, "--retries", "2"]);

        Assert.True(code == 1, output);
        Assert.Contains("\"retry\":1,\"code\":\"UNAVAILABLE\"", output, StringComparison.Ordinal);
        Assert.Contains("\"retry\":2,", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"retry\":3,", output, StringComparison.Ordinal);
        Assert.Contains("Unavailable", output, StringComparison.Ordinal);

        (code, output) = await RunAsync(writer, "import", "--users", users, "--retries", "-1");
        Assert.True(code == 2, output);
        Assert.Contains("--retries", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressBar_ShowsShareCountRateAndEta()
    {
        var progress = new ImportProgress(new CsvSources(null, null, null), 1000, TextWriter.Null, terminal: false);

        var bar = progress.Bar(250, finished: false);

        Assert.Matches(@"^\[#{8}-{22}\]\s+25 %\s+250/1,000 records\s+[\d,]+/s\s+ETA \d+:\d\d", bar);
        Assert.Contains("done in", progress.Bar(1000, finished: true), StringComparison.Ordinal);
    }

    private static (long Records, long Created, long Updated, long Unchanged, long Rejected) Summary(string output)
    {
        var json = output[output.IndexOf("{\n", StringComparison.Ordinal)..];
        json = json[..(json.IndexOf("\n}", StringComparison.Ordinal) + 2)];
        using var summary = JsonDocument.Parse(json);
        long Get(string name) => summary.RootElement.GetProperty(name).GetInt64();
        return (Get("records"), Get("created"), Get("updated"), Get("unchanged"), Get("rejected"));
    }

    private Task<(int Code, string Output)> RunAsync(string? token, params string[] args) =>
        Dirctl.RunAsync(["--target", $"http://127.0.0.1:{_silo.GrpcPort}", "--tenant", _tenant, .. token is null ? Array.Empty<string>() : ["--token", token], .. args]);
}
