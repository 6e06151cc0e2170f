using System.Diagnostics;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// A silo frozen with SIGSTOP (a long GC pause, a frozen VM) and resumed never answers a sign-in
/// from what it cached before: a membership change acknowledged through another silo while it was
/// frozen — short of failure detection, or long enough to be declared dead — is never contradicted
/// by its answers, and its health is not SERVING while it cannot vouch for them.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class PauseTests(ITestOutputHelper output)
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [Theory]
    [InlineData(0.8)]
    [InlineData(12)]
    public async Task AResumedSilo_NeverAnswersFromItsOldCache(double pauseSeconds)
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = await Task.WhenAll(new[] { "a", "b", "c" }.Select(async n =>
        {
            var silo = SiloProcess.Launch(n, cluster, FailureDetectionTests.Recommended);
            await silo.WaitServingAsync(TimeSpan.FromSeconds(60));
            return silo;
        }));
        try
        {
            var tenant = "pause-" + Guid.NewGuid().ToString("N")[..6];
            await DirectoryClient.CreateTenantAsync(silos[0].Channel, tenant);
            var a = new DirectoryClient(silos[0].Channel, tenant);
            var c = new DirectoryClient(silos[2].Channel, tenant);
            var group = await a.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", SecurityEnabled = true } });
            var user = await a.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"u@{tenant}.example.com", DisplayName = "u", AccountEnabled = true } });
            var member = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User };
            await a.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { member } });
            var signIn = new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName };
            for (var i = 0; i < 3; i++)
            {
                Assert.Contains(group.Id, (await c.SignIn.ResolveSignInAsync(signIn)).GroupIds);
            }

            // Freeze c; remove the membership through a while it is frozen.
            var pid = silos[2].ProcessId;
            Assert.Equal(0, SiloProcess.Signal(pid, SigStop));
            var frozen = Stopwatch.StartNew();
            var removal = Task.Run(async () =>
            {
                await a.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = member }, deadline: DateTime.UtcNow.AddSeconds(60));
                return frozen.Elapsed;
            });
            await Task.Delay(TimeSpan.FromSeconds(pauseSeconds));
            var acknowledgedBeforeResume = removal.IsCompletedSuccessfully;
            Assert.Equal(0, SiloProcess.Signal(pid, SigCont));
            var resumed = frozen.Elapsed;

            // From now on every answer c gives must be fresh once the removal is acknowledged.
            var health = new Health.HealthClient(silos[2].Channel);
            var stale = new List<string>();
            var answers = new Dictionary<StatusCode, int>();
            var healthSeen = new HashSet<HealthCheckResponse.Types.ServingStatus>();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(8))
            {
                var acknowledged = removal.IsCompletedSuccessfully;
                try
                {
                    var answer = await c.SignIn.ResolveSignInAsync(signIn, deadline: DateTime.UtcNow.AddSeconds(6));
                    answers[StatusCode.OK] = answers.GetValueOrDefault(StatusCode.OK) + 1;
                    if (acknowledged && answer.GroupIds.Contains(group.Id))
                    {
                        stale.Add($"at {frozen.Elapsed.TotalSeconds:0.00} s");
                    }
                }
                catch (RpcException e)
                {
                    answers[e.StatusCode] = answers.GetValueOrDefault(e.StatusCode) + 1;
                }

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

            var acknowledgedAt = await removal;
            output.WriteLine($"pause {pauseSeconds} s: removal acknowledged {acknowledgedAt.TotalSeconds:0.00} s after the freeze (before resume: {acknowledgedBeforeResume}), " +
                $"resumed at {resumed.TotalSeconds:0.00} s; c answered {string.Join(", ", answers.Select(p => $"{p.Key} {p.Value}"))}; health seen {string.Join(", ", healthSeen)}; stale {stale.Count}");
            Assert.True(stale.Count == 0, $"c answered from its old cache after the removal was acknowledged: {string.Join(", ", stale.Take(5))}\n{silos[2].Output()}");
            Assert.DoesNotContain(group.Id, (await a.SignIn.ResolveSignInAsync(signIn)).GroupIds);
            if (acknowledgedBeforeResume)
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
