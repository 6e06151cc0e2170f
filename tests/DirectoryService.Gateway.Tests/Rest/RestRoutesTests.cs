using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Google.Api;

namespace DirectoryService.Gateway.Tests.Rest;

/// <summary>Every RPC of directory.v1 declares a REST path (google.api.http), and the silo serves each one.</summary>
[Collection(SiloCollection.Name)]
public sealed partial class RestRoutesTests(SiloFixture silo)
{
    [Fact]
    public async Task EveryRpc_HasARestPath_ThatTheSiloServes()
    {
        var t = await silo.NewTenantAsync();
        var token = ClusterSettings.SigningKey.Mint(t.Id, [Permissions.DirectoryReadWrite, Permissions.Operator, Permissions.AuditRead]);
        var files = new[] { UsersReflection.Descriptor, GroupsReflection.Descriptor, MembersReflection.Descriptor, SigninReflection.Descriptor, TenantsReflection.Descriptor, AuditReflection.Descriptor, DiagnosticsReflection.Descriptor, ChangesReflection.Descriptor };
        var missing = new List<string>();
        // Streams (WatchChanges; the import in its own file) are gRPC only, as their protos say.
        foreach (var method in files.SelectMany(f => f.Services).SelectMany(s => s.Methods).Where(m => !m.IsServerStreaming && !m.IsClientStreaming))
        {
            var rule = method.GetOptions()?.GetExtension(Google.Api.AnnotationsExtensions.Http);
            if (rule is null || rule.PatternCase == HttpRule.PatternOneofCase.None)
            {
                missing.Add($"{method.FullName}: no google.api.http rule");
                continue;
            }

            var (verb, path) = rule.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
                HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
                HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
                HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
                _ => (HttpMethod.Put, rule.Put),
            };
            using var request = new HttpRequestMessage(verb, Parameter().Replace(path, _ => Guid.NewGuid().ToString()));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (verb != HttpMethod.Get && verb != HttpMethod.Delete)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await silo.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed && !body.Contains("\"code\"", StringComparison.Ordinal))
            {
                missing.Add($"{method.FullName}: {verb} {path} is not served ({(int)response.StatusCode})");
            }
        }

        Assert.Empty(missing);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
