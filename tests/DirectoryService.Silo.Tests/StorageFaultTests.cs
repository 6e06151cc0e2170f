using System.Collections.Concurrent;
using System.Diagnostics;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Grpc.Health.V1;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Storage paused (SIGSTOP of Azurite, as a stalled storage service looks) under a load of writes and
/// warm sign-ins, on a real silo process: every write ends within the write bound with OK or
/// UNAVAILABLE (never hangs, never INTERNAL), sign-ins from cache go on, health reports writes
/// NOT_SERVING while the silo stays SERVING, and right after SIGCONT writes succeed again.
/// </summary>
public sealed class StorageFaultTests
{
    /// <summary>The write budget (Directory:Gateway:WriteTimeout, 10 s by default) and what a loaded test machine may add to it.</summary>
    private static readonly TimeSpan WriteBound = TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task StoragePaused_WritesEndWithinTheBound_CachedSignInsGoOn_AndHealthSaysSo(int siloCount)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var cluster = (await ClusterSettings.NewAsync()) with { ConnectionString = azurite.ConnectionString };
        var silos = await Task.WhenAll(Enumerable.Range(0, siloCount).Select(i => SiloProcess.StartAsync(((char)('a' + i)).ToString(), cluster)));
        try
        {
            await RunAsync(silos, azurite);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task RunAsync(SiloProcess[] silos, AzuriteProcess azurite)
    {
        var silo = silos[0];
        var tenant = "fault-" + Guid.NewGuid().ToString("N")[..8];
        await DirectoryClient.CreateTenantAsync(silo.Channel, tenant);
        var client = new DirectoryClient(silo.Channel, tenant);
        var clients = silos.Select(s => new DirectoryClient(s.Channel, tenant)).ToArray();
        var group = await client.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", SecurityEnabled = true } });
        var users = new List<User>();
        for (var i = 0; i < 8; i++)
        {
            var user = await client.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"warm{i}@{tenant}.example.com", DisplayName = "w", AccountEnabled = true } });
            await client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } } });
            users.Add(user);
        }

        foreach (var user in users)
        {
            foreach (var each in clients)
            {
                Assert.Contains(group.Id, (await each.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName })).GroupIds);
            }
        }

        var health = new Health.HealthClient(silo.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "writes" })).Status);

        // Paused for longer than the write bound, under load.
        var writes = new ConcurrentBag<(StatusCode Code, TimeSpan Took)>();
        var signIns = new ConcurrentBag<StatusCode>();
        var seen = new ConcurrentBag<(string Service, HealthCheckResponse.Types.ServingStatus Status)>();
        using var pause = new CancellationTokenSource(TimeSpan.FromSeconds(14));
        azurite.Pause();
        var load = new List<Task>();
        for (var w = 0; w < 4; w++)
        {
            var writer = w;
            load.Add(Task.Run(async () =>
            {
                for (var n = 0; !pause.IsCancellationRequested; n++)
                {
                    var clock = Stopwatch.StartNew();
                    var through = clients[(writer + n) % clients.Length];
                    var code = await Outcomes.StatusOf(() => writer % 2 == 0
                        ? through.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"p{writer}-{n}@{tenant}.example.com", DisplayName = "p" } }).ResponseAsync
                        : through.Users.UpdateUserAsync(new UpdateUserRequest
                        {
                            User = new User { Id = users[(writer + (2 * n)) % users.Count].Id, Department = $"d{n}" },
                            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "department" } },
                        }).ResponseAsync);
                    writes.Add((code, clock.Elapsed));
                }
            }));
        }

        load.Add(Task.Run(async () =>
        {
            for (var n = 0; !pause.IsCancellationRequested; n++)
            {
                signIns.Add(await Outcomes.StatusOf(() => clients[n % clients.Length].SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = users[n % users.Count].UserPrincipalName }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync));
                await Task.Delay(20);
            }
        }));
        load.Add(Task.Run(async () =>
        {
            while (!pause.IsCancellationRequested)
            {
                foreach (var service in new[] { "", "writes" })
                {
                    seen.Add((service, (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5))).Status));
                }

                await Task.Delay(250);
            }
        }));

        await Task.Delay(TimeSpan.FromSeconds(14));
        var resumed = Stopwatch.StartNew();
        azurite.Resume();
        await Task.WhenAll(load);

        // Right after storage returns, writes go through again and health says so.
        await Wait.UntilAsync(async () =>
            await Outcomes.StatusOf(() => client.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"after-{Guid.NewGuid():N}@{tenant}.example.com", DisplayName = "a" } }).ResponseAsync) == StatusCode.OK,
            TimeSpan.FromSeconds(20), "a write to succeed after storage resumed");
        await Wait.UntilAsync(async () => (await health.CheckAsync(new HealthCheckRequest { Service = "writes" })).Status == HealthCheckResponse.Types.ServingStatus.Serving,
            TimeSpan.FromSeconds(20), "health to report writes serving after storage resumed");
        var recovery = resumed.Elapsed;
        var report = $"writes: {string.Join(", ", writes.GroupBy(w => w.Code).Select(g => $"{g.Key} {g.Count()} (max {g.Max(x => x.Took.TotalSeconds):0.0} s)"))}; " +
            $"sign-ins: {string.Join(", ", signIns.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}; recovery {recovery.TotalSeconds:0.0} s\n{silo.Output()}";
        Assert.All(writes, w => Assert.True(w.Code is StatusCode.OK or StatusCode.Unavailable && w.Took <= WriteBound, report));
        Assert.Contains(writes, w => w.Code == StatusCode.Unavailable);
        Assert.True(signIns.Count > 100 && signIns.All(s => s == StatusCode.OK), report);
        Assert.Contains(seen, s => s is ("writes", HealthCheckResponse.Types.ServingStatus.NotServing));
        Assert.All(seen.Where(s => s.Service == ""), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s.Status));
        Assert.True(recovery < TimeSpan.FromSeconds(5), report);
    }
}
