using System.Collections.Concurrent;
using System.Diagnostics;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Storage;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>
/// A call is one trace: the service's own span for the API operation, the grain calls Orleans traces
/// under it, and the storage calls under those — so a slow write can be read off its trace.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class TracingTests(SiloFixture silo)
{
    [Fact]
    public async Task AWrite_IsTracedFromTheGateway_ThroughGrainCalls_ToStorage()
    {
        using var spans = new Spans();
        var t = await silo.NewTenantAsync();
        Group group;
        ActivityTraceId trace;
        using (var caller = Spans.Caller())
        {
            // The caller's trace context travels with the request, so this test finds its own call
            // among those other tests make meanwhile.
            trace = caller!.TraceId;
            group = await t.CreateGroupAsync("traced");
        }

        var operation = spans.Single(s => s.Source.Name == ApiOperation.SourceName && s.DisplayName == "/directory.v1.Groups/CreateGroup" && s.TraceId == trace);
        Assert.Equal(ActivityStatusCode.Unset, operation.Status);
        var storage = spans.Where(s => s.Source.Name == StorageTelemetry.Name && s.TraceId == operation.TraceId).ToList();
        Assert.Contains(storage, s => s.DisplayName == "grain-state write");
        Assert.Contains(storage, s => s.DisplayName == "rows write");
        foreach (var call in storage)
        {
            var ancestors = spans.Ancestors(call);
            Assert.Contains(operation, ancestors);
            if (call.DisplayName == "grain-state write")
            {
                // The group's own state is written by its grain: an Orleans span stands between.
                Assert.Contains(ancestors.TakeWhile(a => a != operation), a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
            }
        }

        Assert.NotEmpty(group.Id);
    }

    [Fact]
    public async Task ARefusedCall_EndsItsSpanFailed_WithTheStatus()
    {
        using var spans = new Spans();
        var t = await silo.NewTenantAsync();
        ActivityTraceId trace;
        using (var caller = Spans.Caller())
        {
            trace = caller!.TraceId;
            await Assert.ThrowsAsync<RpcException>(async () => await t.Groups.GetGroupAsync(new GetGroupRequest { Id = "not-a-guid" }));
        }

        var operation = spans.Single(s => s.Source.Name == ApiOperation.SourceName && s.DisplayName == "/directory.v1.Groups/GetGroup" && s.TraceId == trace);
        Assert.Equal(ActivityStatusCode.Error, operation.Status);
        Assert.Equal("InvalidArgument", operation.GetTagItem("directory.status"));
    }

    /// <summary>Every span the service, Orleans and storage end while this listens.</summary>
    private sealed class Spans : IDisposable
    {
        private const string CallerSource = "DirectoryService.Gateway.Tests";

        private static readonly ActivitySource Callers = new(CallerSource);

        private readonly ConcurrentDictionary<ActivitySpanId, Activity> _ended = new();
        private readonly ActivityListener _listener;

        public Spans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is CallerSource or ApiOperation.SourceName or StorageTelemetry.Name || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => _ended[activity.SpanId] = activity,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>A span of the test itself, current while it calls the service: the calls' trace.</summary>
        public static Activity? Caller() => Callers.StartActivity("caller", ActivityKind.Client);

        public Activity Single(Func<Activity, bool> predicate) => Assert.Single(_ended.Values, a => predicate(a));

        public IEnumerable<Activity> Where(Func<Activity, bool> predicate) => _ended.Values.Where(predicate);

        /// <summary>Parent, grandparent, ... as far as ended spans reach.</summary>
        public List<Activity> Ancestors(Activity span)
        {
            var chain = new List<Activity>();
            for (var parent = span.ParentSpanId; _ended.TryGetValue(parent, out var next); parent = next.ParentSpanId)
            {
                chain.Add(next);
            }

            return chain;
        }

        public void Dispose() => _listener.Dispose();
    }
}
