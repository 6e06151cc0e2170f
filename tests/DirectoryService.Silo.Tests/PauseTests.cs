using System.Collections.Concurrent;
using System.Diagnostics;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// One of three silos frozen with SIGSTOP (a long GC pause, a frozen VM) — shorter than failure
/// detection, or long enough to be declared dead — while a removal, an addition, an un-nesting and a
/// nesting go through another silo one after the other: every change is acknowledged within the
/// documented bound (read leases: the reach timeout plus one lease, not failure detection), and no
/// answer of any silo, the resumed one included, contradicts a change acknowledged before the read
/// began. A silo declared dead while frozen never reports SERVING again.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class PauseTests(ITestOutputHelper output)
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>docs/signin-path.md: ReachTimeout (1 s) + one lease stretched by the clock drift (2 × 1.01² s), rounded up.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public async Task WhileASiloIsFrozen_ChangesCompleteWithinTheBound_AndNoAnswerIsStale(double pauseSeconds)
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = new List<SiloProcess> { SiloProcess.Launch("a", cluster, FailureDetectionTests.Recommended) };
        try
        {
            await silos[0].WaitServingAsync(TimeSpan.FromSeconds(60));
            var tenant = "pause-" + Guid.NewGuid().ToString("N")[..6];
            await DirectoryClient.CreateTenantAsync(silos[0].Channel, tenant);
            var a = new DirectoryClient(silos[0].Channel, tenant);

            // Everything the changes touch is created, and every change made and undone once, while a
            // is the only silo, so every grain involved lives on a: a change of an object whose grain
            // lives on the frozen silo waits for failure detection, which the bound does not cover
            // (docs/signin-path.md).
            async Task<string> GroupAsync(string name) => (await a.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = name, SecurityEnabled = true } })).Id;
            async Task<string> UserAsync(string name) => (await a.Users.CreateUserAsync(new CreateUserRequest
            {
                User = new User { UserPrincipalName = $"{name}@{tenant}.example.com", DisplayName = name, AccountEnabled = true },
            })).UserPrincipalName;
            DirectoryObjectRef Ref(string id, ObjectType type) => new() { Id = id, Type = type };
            var (gA, gP, gB, gC) = (await GroupAsync("A"), await GroupAsync("P"), await GroupAsync("B"), await GroupAsync("C"));
            var names = new[] { await UserAsync("u1"), await UserAsync("u2"), await UserAsync("u3"), await UserAsync("u4") };
            var ids = new List<string>();
            foreach (var name in names)
            {
                ids.Add((await a.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = name })).UserId);
            }

            Task Add(string group, DirectoryObjectRef member) => a.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { member } }, deadline: DateTime.UtcNow.AddSeconds(60)).ResponseAsync;
            Task Remove(string group, DirectoryObjectRef member) => a.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = member }, deadline: DateTime.UtcNow.AddSeconds(60)).ResponseAsync;
            await Add(gA, Ref(ids[0], ObjectType.User));
            await Add(gB, Ref(ids[2], ObjectType.User));
            await Add(gC, Ref(ids[3], ObjectType.User));
            await Add(gP, Ref(gB, ObjectType.Group));

            // Change i concerns user i: whether the group must (true) or must not (false) be in its sign-in once acknowledged.
            var changes = new (string Name, string User, string Group, bool Member, Func<Task> Run, Func<Task> Undo)[]
            {
                ("remove u1 from A", names[0], gA, false, () => Remove(gA, Ref(ids[0], ObjectType.User)), () => Add(gA, Ref(ids[0], ObjectType.User))),
                ("add u2 to A", names[1], gA, true, () => Add(gA, Ref(ids[1], ObjectType.User)), () => Remove(gA, Ref(ids[1], ObjectType.User))),
                ("un-nest B from P", names[2], gP, false, () => Remove(gP, Ref(gB, ObjectType.Group)), () => Add(gP, Ref(gB, ObjectType.Group))),
                ("nest C into P", names[3], gP, true, () => Add(gP, Ref(gC, ObjectType.Group)), () => Remove(gP, Ref(gC, ObjectType.Group))),
            };
            foreach (var change in changes)
            {
                await change.Run();
                await change.Undo();
            }

            foreach (var name in new[] { "b", "c" })
            {
                silos.Add(SiloProcess.Launch(name, cluster, FailureDetectionTests.Recommended));
            }

            await Task.WhenAll(silos.Skip(1).Select(silo => silo.WaitServingAsync(TimeSpan.FromSeconds(60))));
            var clients = silos.Select(s => new DirectoryClient(s.Channel, tenant)).ToArray();

            // Every silo caches every user and the closures above them.
            foreach (var client in clients)
            {
                foreach (var name in names)
                {
                    for (var i = 0; i < 2; i++)
                    {
                        await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = name });
                    }
                }
            }

            var acknowledged = new bool[changes.Length];
            var stale = new ConcurrentQueue<string>();
            var answered = new int[silos.Count];
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var readers = clients.Select((client, s) => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    for (var i = 0; i < changes.Length; i++)
                    {
                        var before = Volatile.Read(ref acknowledged[i]);
                        try
                        {
                            var answer = await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = changes[i].User }, deadline: DateTime.UtcNow.AddSeconds(2));
                            Interlocked.Increment(ref answered[s]);
                            if (before && answer.GroupIds.Contains(changes[i].Group) != changes[i].Member)
                            {
                                stale.Enqueue($"silo {"abc"[s]} at {clock.Elapsed.TotalSeconds:0.00} s contradicted '{changes[i].Name}'");
                            }
                        }
                        catch (RpcException)
                        {
                            // Frozen, stopping or stalled: no answer is no stale answer.
                        }
                    }
                }
            })).ToArray();

            // Freeze c; the changes go through a one after the other while it is frozen.
            var pid = silos[2].ProcessId;
            Assert.Equal(0, SiloProcess.Signal(pid, SigStop));
            var frozenAt = clock.Elapsed;
            var took = new TimeSpan[changes.Length];
            var writer = Task.Run(async () =>
            {
                for (var i = 0; i < changes.Length; i++)
                {
                    var started = clock.Elapsed;
                    await changes[i].Run();
                    took[i] = clock.Elapsed - started;
                    Volatile.Write(ref acknowledged[i], true);
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(pauseSeconds));
            Assert.Equal(0, SiloProcess.Signal(pid, SigCont));
            var resumedAt = clock.Elapsed;

            var health = new Health.HealthClient(silos[2].Channel);
            var healthSeen = new HashSet<HealthCheckResponse.Types.ServingStatus>();
            while (clock.Elapsed - resumedAt < TimeSpan.FromSeconds(8))
            {
                try
                {
                    healthSeen.Add((await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1))).Status);
                }
                catch (RpcException)
                {
                    // A silo that stopped answers no health check either.
                }

                await Task.Delay(50);
            }

            await writer.WaitAsync(TimeSpan.FromSeconds(60));
            stop.Cancel();
            await Task.WhenAll(readers);
            var log = silos[2].FullOutput();
            var declaredDead = silos[2].HasExited || log.Contains("I have been told I am dead", StringComparison.Ordinal) || log.Contains("lists this silo as Dead", StringComparison.Ordinal);
            output.WriteLine($"pause {pauseSeconds} s (frozen at {frozenAt.TotalSeconds:0.00} s, resumed at {resumedAt.TotalSeconds:0.00} s, c declared dead: {declaredDead}): " +
                string.Join(", ", changes.Select((c, i) => $"{c.Name} {took[i].TotalSeconds:0.00} s")) +
                $"; answers a/b/c {string.Join("/", answered)}; c's health after resume {string.Join(", ", healthSeen)}; stale {stale.Count}");
            Assert.True(stale.IsEmpty, $"stale answers: {string.Join("; ", stale.Take(5))}\n{silos[2].Output()}");
            for (var i = 0; i < changes.Length; i++)
            {
                Assert.True(took[i] <= Bound, $"'{changes[i].Name}' took {took[i].TotalSeconds:0.00} s with one silo frozen (bound {Bound.TotalSeconds} s)");
            }

            foreach (var (change, client) in changes.SelectMany(c => clients[..2].Select(client => (c, client))))
            {
                Assert.Equal(change.Member, (await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = change.User })).GroupIds.Contains(change.Group));
            }

            Assert.True(declaredDead == (pauseSeconds > 10), $"c declared dead: {declaredDead} after a pause of {pauseSeconds} s (failure detection takes about 8 s)");
            if (declaredDead)
            {
                // Declared dead while frozen: it must never have reported SERVING again.
                Assert.DoesNotContain(HealthCheckResponse.Types.ServingStatus.Serving, healthSeen);
            }
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
