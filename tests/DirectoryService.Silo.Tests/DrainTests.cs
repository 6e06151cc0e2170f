using DirectoryService.Testing;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// A silo stopped with SIGTERM drains: health turns NOT_SERVING at once while it keeps serving, so
/// a client that follows health moves away before anything is refused; calls in flight finish, and
/// calls other silos make to its grains while it leaves are retried there. A rolling restart of
/// every silo under a load of creates, adds, updates (with etags) and removals fails no call.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class DrainTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] Drain = [("Directory:Silo:DrainPeriod", "00:00:02")];

    [Fact]
    public async Task AStoppingSilo_Drains_AndARollingRestart_FailsNoCall_ForAClientThatFollowsHealth()
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = (await Task.WhenAll(new[] { "a", "b", "c" }.Select(n => StartAsync(n, cluster)))).ToList();
        var routing = new HealthRouting();
        try
        {
            var (load, groupId, _) = await ClusterChecks.PrepareLoadAsync(silos[0], "drain");
            load = new WriteLoad(load.TenantId, $"{load.TenantId}.example.com", groupId) { UpdatesAndRemoves = true };
            silos.ForEach(s => routing.Add(s, load.TenantId));
            load.RouteTo(silos.Select(s => new DirectoryClient(s.Channel, load.TenantId)));
            using var stop = new CancellationTokenSource();
            var following = routing.FollowAsync(load, stop.Token);
            var running = load.RunAsync(writers: 4, stop.Token);
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= 30), TimeSpan.FromSeconds(60), "30 acknowledged memberships");

            // One silo stopped while the load goes through it too; its health says so first.
            var stopping = silos[2];
            var health = new Health.HealthClient(stopping.Channel);
            var stopped = stopping.StopAsync(TimeSpan.FromSeconds(60));
            await Wait.UntilAsync(async () => (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1))).Status == HealthCheckResponse.Types.ServingStatus.NotServing,
                TimeSpan.FromSeconds(1.5), "the stopping silo to report NOT_SERVING within its drain period");
            await stopped;
            routing.Remove(stopping);
            silos.Remove(stopping);
            var afterStop = load.AcknowledgedMemberships.Count;
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= afterStop + 20), TimeSpan.FromSeconds(60), "progress after the stop");

            // A rolling restart: each silo replaced by a new one, one at a time.
            foreach (var (old, name) in silos.ToList().Zip(new[] { "a2", "b2" }))
            {
                var replacement = await StartAsync(name, cluster);
                silos.Add(replacement);
                routing.Add(replacement, load.TenantId);
                await old.StopAsync(TimeSpan.FromSeconds(60));
                routing.Remove(old);
                silos.Remove(old);
                var progress = load.AcknowledgedMemberships.Count;
                await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= progress + 20), TimeSpan.FromSeconds(60), $"progress after replacing a silo by {name}");
            }

            stop.Cancel();
            await running;
            await following;
            output.WriteLine($"drain and rolling restart: {load}, {load.AcknowledgedRemovals.Count} removals");
            if (load.Failures.Count > 0)
            {
                silos.ForEach(s => output.WriteLine($"--- silo {s.Name}:\n{s.Output()}"));
            }

            Assert.True(load.Failures.Count == 0, $"failed calls: {string.Join("; ", load.Failures.Take(5))}");
            await ClusterChecks.AssertNothingAcknowledgedLostAsync(new DirectoryClient(silos[0].Channel, load.TenantId), load, groupId);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task<SiloProcess> StartAsync(string name, ClusterSettings cluster)
    {
        var silo = SiloProcess.Launch(name, cluster, Drain);
        await silo.WaitServingAsync(TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>What a load balancer that follows health does: routes to the silos whose health answered SERVING at the last look, 10 times a second.</summary>
    private sealed class HealthRouting
    {
        private readonly List<(SiloProcess Silo, DirectoryClient Client)> _silos = [];

        public void Add(SiloProcess silo, string tenant)
        {
            lock (_silos)
            {
                _silos.Add((silo, new DirectoryClient(silo.Channel, tenant)));
            }
        }

        public void Remove(SiloProcess silo)
        {
            lock (_silos)
            {
                _silos.RemoveAll(s => s.Silo == silo);
            }
        }

        public async Task FollowAsync(WriteLoad load, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                List<(SiloProcess Silo, DirectoryClient Client)> candidates;
                lock (_silos)
                {
                    candidates = [.. _silos];
                }

                var serving = await Task.WhenAll(candidates.Select(async c =>
                {
                    try
                    {
                        var reply = await new Health.HealthClient(c.Silo.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddMilliseconds(500));
                        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? c.Client : null;
                    }
                    catch (global::Grpc.Core.RpcException)
                    {
                        return null;
                    }
                }));
                if (serving.OfType<DirectoryClient>().ToList() is { Count: > 0 } routes)
                {
                    load.RouteTo(routes);
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }
    }
}
