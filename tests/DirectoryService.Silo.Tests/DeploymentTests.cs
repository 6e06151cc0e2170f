using DirectoryService.Testing;
using YamlDotNet.RepresentationModel;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// docker-compose.yml cannot be run here (no Docker engine), so its promises are checked against the
/// files they depend on: every silo is health-checked with a dirctl the image really carries, on the
/// port and certificate the silo really serves, and the collector has a pipeline for each signal the
/// silos export.
/// </summary>
public sealed class DeploymentTests
{
    private static readonly YamlMappingNode Compose = Load(File.ReadAllText(Path.Combine(RepoPaths.Root, "docker-compose.yml")));

    [Fact]
    public void EverySilo_IsHealthChecked_WithTheImagesDirctl_OnTheServedEndpoint()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DirectoryService.Silo", "Dockerfile"));
        var silos = Services().Where(s => s.Value.Children.ContainsKey("build")).ToList();
        Assert.Equal(3, silos.Count);
        foreach (var (name, silo) in silos)
        {
            var check = Assert.IsType<YamlMappingNode>(silo["healthcheck"], exactMatch: false);
            var test = ((YamlSequenceNode)check["test"]).Children.Select(c => c.ToString()).ToList();
            Assert.Equal(["CMD", "dotnet"], test[..2]);
            Assert.StartsWith("/app/dirctl/", test[2], StringComparison.Ordinal);
            Assert.Contains("dotnet publish src/DirectoryService.Cli -c Release -o /app/dirctl", dockerfile, StringComparison.Ordinal);
            Assert.Equal("health", test[^1]);

            var environment = (YamlMappingNode)silo["environment"];
            var url = environment["Kestrel__Endpoints__Grpc__Url"].ToString();
            Assert.Equal(new Uri(url).Port, new Uri(test[test.IndexOf("--target") + 1]).Port);
            Assert.Equal(environment["Directory__Tls__CertificatePath"].ToString(), test[test.IndexOf("--ca") + 1]);
            Assert.True(name.StartsWith("silo", StringComparison.Ordinal), name);
        }
    }

    [Fact]
    public void Collector_HasAPipeline_ForTraces_Metrics_AndLogs()
    {
        var configs = (YamlMappingNode)Compose["configs"];
        var collector = Load(((YamlMappingNode)configs["otel-collector"])["content"].ToString());
        var pipelines = (YamlMappingNode)((YamlMappingNode)collector["service"])["pipelines"];
        Assert.Equal(["logs", "metrics", "traces"], pipelines.Children.Keys.Select(k => k.ToString()).Order());

        var receiver = ((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)collector["receivers"])["otlp"])["protocols"])["grpc"];
        var port = new Uri("http://" + ((YamlMappingNode)receiver)["endpoint"]).Port;
        foreach (var (_, silo) in Services().Where(s => s.Value.Children.ContainsKey("build")))
        {
            Assert.Equal(port, new Uri(((YamlMappingNode)silo["environment"])["OTEL_EXPORTER_OTLP_ENDPOINT"].ToString()).Port);
        }
    }

    private static IEnumerable<(string Name, YamlMappingNode Value)> Services() =>
        ((YamlMappingNode)Compose["services"]).Children.Select(c => (c.Key.ToString(), Merged((YamlMappingNode)c.Value)));

    /// <summary>A service with its <c>&lt;&lt;: *silo</c> merge key applied (YamlDotNet's model keeps merge keys as written).</summary>
    private static YamlMappingNode Merged(YamlMappingNode service)
    {
        var merged = new YamlMappingNode();
        if (service.Children.TryGetValue(new YamlScalarNode("<<"), out var anchor))
        {
            foreach (var (key, value) in ((YamlMappingNode)anchor).Children)
            {
                merged.Children[key] = value;
            }
        }

        foreach (var (key, value) in service.Children.Where(c => c.Key.ToString() != "<<"))
        {
            merged.Children[key] = value;
        }

        return merged;
    }

    private static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
