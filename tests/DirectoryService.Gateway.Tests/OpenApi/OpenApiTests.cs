using System.Diagnostics;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Google.Api;

namespace DirectoryService.Gateway.Tests.OpenApi;

/// <summary>The OpenAPI document describes every REST path with the proto's comments, and the browsable page lists them in a real browser.</summary>
[Collection(SiloCollection.Name)]
public sealed class OpenApiTests(SiloFixture silo)
{
    private static IEnumerable<(string Verb, string Path, string Method)> RestPaths() =>
        new[] { UsersReflection.Descriptor, GroupsReflection.Descriptor, MembersReflection.Descriptor, SigninReflection.Descriptor, TenantsReflection.Descriptor, AuditReflection.Descriptor, DiagnosticsReflection.Descriptor }
            .SelectMany(f => f.Services).SelectMany(s => s.Methods)
            .Select(m => (Rule: m.GetOptions().GetExtension(Google.Api.AnnotationsExtensions.Http), m.Name))
            .Select(r => r.Rule.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => ("get", r.Rule.Get, r.Name),
                HttpRule.PatternOneofCase.Post => ("post", r.Rule.Post, r.Name),
                HttpRule.PatternOneofCase.Patch => ("patch", r.Rule.Patch, r.Name),
                _ => ("delete", r.Rule.Delete, r.Name),
            });

    /// <summary>The document spells path parameters in JSON names (<c>{group_id}</c> → <c>{groupId}</c>).</summary>
    private static string JsonPath(string path) => System.Text.RegularExpressions.Regex.Replace(path, @"\{([^}]+)\}", m => "{" + DirectoryService.Gateway.Errors.GrpcFieldPaths.DomainName(m.Groups[1].Value) + "}");

    [Fact]
    public async Task TheDocument_DescribesEveryRestPath_WithTheProtoComments_Anonymously()
    {
        var document = JsonNode.Parse(await silo.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        var missing = RestPaths().Where(p => paths[JsonPath(p.Path)]?[p.Verb] is null).Select(p => $"{p.Verb} {p.Path} ({p.Method})").ToList();
        Assert.Empty(missing);
        Assert.StartsWith("Creates a user.", paths["/v1/users"]!["post"]!["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["components"]!["securitySchemes"]!["bearer"]);
    }

    [Fact]
    public async Task TheBrowsablePage_ListsTheOperations_InARealBrowser()
    {
        var page = $"{silo.Http.BaseAddress}api-docs/index.html";
        var dom = await ChromiumAsync("--dump-dom", page);
        var missing = RestPaths().Select(p => JsonPath(p.Path)).Distinct().Where(path => !dom.Contains($"data-path=\"{path}\"", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"the page does not list: {string.Join(", ", missing)}");

        var artifacts = Path.Combine(RepoPaths.Root, ".artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "api-docs.png");
        await ChromiumAsync($"--screenshot={screenshot}", "--window-size=1280,3000", page);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"no screenshot at {screenshot}");
    }

    private static async Task<string> ChromiumAsync(params string[] args)
    {
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=20000" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start (test.sh installs it)");
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return await output;
    }
}
