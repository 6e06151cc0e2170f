using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Several real silo processes on loopback sharing one Azurite: the behaviour operators rely on
/// when silos crash, stop, and join under load.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task KilledSilo_UnderWriteLoad_LosesNoAcknowledgedWrite_AfterRestart()
    {
        var cluster = await ClusterSettings.NewAsync();
        var silo = await SiloProcess.StartAsync("a", cluster);
        var (load, groupId, reader) = await ClusterChecks.PrepareLoadAsync(silo, "crash");
        load.RouteTo([reader]);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(writers: 8, stop.Token);

        await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= 40), TimeSpan.FromSeconds(60), "40 acknowledged memberships");
        await silo.KillAsync();
        stop.Cancel();
        await running;
        output.WriteLine($"killed under load: {load}");

        await using var restarted = await SiloProcess.StartAsync("a2", cluster);
        var after = new DirectoryClient(restarted.Channel, load.TenantId);
        await ClusterChecks.AssertNothingAcknowledgedLostAsync(after, load, groupId);

        // A write's record is stored before the write runs and settled before it is answered: every
        // acknowledged create has an OK record, and every user that exists — including those whose
        // create was cut off by the kill between change and answer — has a record naming it.
        var audited = await after.AuditedUserCreatesAsync();
        Assert.All(load.AcknowledgedUsers, id => Assert.Contains(id, audited["OK"]));
        var named = audited["OK"].Concat(audited["PENDING"]).ToHashSet();
        Assert.All(await after.AllUsersAsync(), user => Assert.Contains(user.Id, named));
        output.WriteLine($"records left pending by the kill: {audited["PENDING"].Count()}");
        await silo.DisposeAsync();
    }

    [Fact]
    public async Task ThreeSilos_ServeTheSameData_AndRecoverFromAKilledSilo()
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = await Task.WhenAll(new[] { "a", "b", "c" }.Select(n => SiloProcess.StartAsync(n, cluster)));
        try
        {
            var (load, groupId, _) = await ClusterChecks.PrepareLoadAsync(silos[0], "kill");
            var clients = silos.Select(s => new DirectoryClient(s.Channel, load.TenantId)).ToArray();

            var probe = await clients[0].Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"probe@{load.TenantId}.example.com", DisplayName = "Probe" } });
            foreach (var client in clients)
            {
                Assert.Equal(probe, await client.Users.GetUserAsync(new GetUserRequest { Id = probe.Id }));
            }

            load.RouteTo(clients);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(writers: 8, stop.Token);
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= 30), TimeSpan.FromSeconds(60), "30 acknowledged memberships");

            var killedAt = load.Now;
            await silos[2].KillAsync();
            load.RouteTo(clients[..2]);

            // Recovered once calls to the survivors succeed again: no failure for a quiet period.
            var quiet = TimeSpan.FromSeconds(3);
            await Wait.UntilAsync(
                () => Task.FromResult(load.Now - LastFailure(load, killedAt) > quiet && load.Now - killedAt > quiet),
                RecoveryLimit, "the two surviving silos to serve without failures");
            var progress = load.AcknowledgedMemberships.Count;
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= progress + 20), RecoveryLimit, "writes to make progress after the kill");
            var failing = LastFailure(load, killedAt) - killedAt;
            output.WriteLine(
                $"kill -9 of one of three silos: calls failed for {Math.Max(0, failing.TotalSeconds):0.0}s ({load.FailuresSince(killedAt)} failed calls); " +
                $"slowest acknowledged write around the kill took {load.LongestWriteSince(killedAt).TotalSeconds:0.0}s; {load}");
            output.WriteLine("failures: " + string.Join(" | ", load.Failures.Select(f => f.Error).Distinct().Take(5)));

            stop.Cancel();
            await running;
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

    [Fact]
    public async Task GracefulStop_AndJoin_UnderLoad_FailNoCall()
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = (await Task.WhenAll(new[] { "a", "b", "c" }.Select(n => SiloProcess.StartAsync(n, cluster)))).ToList();
        try
        {
            var (load, groupId, _) = await ClusterChecks.PrepareLoadAsync(silos[0], "graceful");
            var tenant = load.TenantId;
            var clients = silos.Select(s => new DirectoryClient(s.Channel, tenant)).ToList();
            load.RouteTo(clients[..2]);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(writers: 6, stop.Token);
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= 30), TimeSpan.FromSeconds(60), "30 acknowledged memberships");

            await silos[2].StopAsync(TimeSpan.FromSeconds(60));
            var afterStop = load.AcknowledgedMemberships.Count;
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= afterStop + 20), TimeSpan.FromSeconds(60), "progress after the graceful stop");

            var joined = await SiloProcess.StartAsync("d", cluster);
            silos.Add(joined);
            clients.Add(new DirectoryClient(joined.Channel, tenant));
            load.RouteTo([clients[0], clients[1], clients[3]]);
            var afterJoin = load.AcknowledgedMemberships.Count;
            await Wait.UntilAsync(() => Task.FromResult(load.AcknowledgedMemberships.Count >= afterJoin + 30), TimeSpan.FromSeconds(60), "progress through the new silo");

            stop.Cancel();
            await running;
            output.WriteLine($"graceful stop and join: {load}");
            if (load.Failures.Count > 0)
            {
                silos.ForEach(s => output.WriteLine($"--- silo {s.Name}:\n{s.Output()}"));
            }

            Assert.True(load.Failures.Count == 0, $"failed calls: {string.Join("; ", load.Failures.Take(5))}");
            await ClusterChecks.AssertNothingAcknowledgedLostAsync(clients[3], load, groupId);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static TimeSpan LastFailure(WriteLoad load, TimeSpan since) =>
        load.Failures.Where(f => f.At >= since).Select(f => f.At).DefaultIfEmpty(since).Max();
}

[CollectionDefinition(nameof(ClusterTests), DisableParallelization = true)]
public sealed class ClusterCollection;
