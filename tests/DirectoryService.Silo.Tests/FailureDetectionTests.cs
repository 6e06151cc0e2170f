using DirectoryService.Testing;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// With the settings the README and docker-compose.yml recommend — fast failure detection and a
/// grain-directory lease that ends soon after the failure (Directory:GrainDirectory:RangeLeaseDuration)
/// — a kill -9 of one of three silos stalls callers of the survivors for at most 10 s.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class FailureDetectionTests(ITestOutputHelper output)
{
    /// <summary>What the README's cluster example and docker-compose.yml set (with the test settings' detection: probes of 1 s, 2 missed).</summary>
    public static readonly (string, string)[] Recommended = [("Directory:GrainDirectory:RangeLeaseDuration", "00:00:05")];

    private static readonly TimeSpan StallBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AKilledSilo_StallsCallersOfTheSurvivors_AtMostTenSeconds()
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = await Task.WhenAll(new[] { "a", "b", "c" }.Select(async n =>
        {
            var silo = SiloProcess.Launch(n, cluster, Recommended);
            await silo.WaitServingAsync(TimeSpan.FromSeconds(60));
            return silo;
        }));
        try
        {
            var (load, groupId, _) = await ClusterChecks.PrepareLoadAsync(silos[0], "stall");
            var clients = silos.Select(s => new DirectoryClient(s.Channel, load.TenantId)).ToArray();
            load.RouteTo(clients[..2]);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(writers: 6, stop.Token);
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= 60), TimeSpan.FromSeconds(60), "60 acknowledged memberships");

            var killedAt = load.Now;
            await silos[2].KillAsync();
            await Wait.UntilAsync(() => Task.FromResult(load.Now - killedAt > StallBound + TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(30), "the survivors to run on past the bound");
            stop.Cancel();
            await running;

            var stalled = load.StalledAfter(killedAt);
            output.WriteLine($"kill -9 of one of three silos: callers of the survivors stalled for {stalled.TotalSeconds:0.0} s; {load.FailuresSince(killedAt)} failed calls; {load}");
            Assert.True(stalled <= StallBound, $"callers stalled for {stalled.TotalSeconds:0.0} s after the kill; {load}");
            await ClusterChecks.AssertNothingAcknowledgedLostAsync(clients[1], load, groupId);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
