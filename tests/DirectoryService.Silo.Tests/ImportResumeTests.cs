using DirectoryService.Grpc.Clients;
using DirectoryService.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// An import interrupted by a killed silo process (kill -9 at a seeded point) and run again from the
/// start ends in exactly the state one clean run leaves; its members' "member of" sets and sign-ins
/// agree with the member lists, and memberships are the same from both directions.
/// </summary>
public sealed class ImportResumeTests(ITestOutputHelper output)
{
    private const int BatchSize = 100;

    [Theory]
    [InlineData(17)]
    [InlineData(42)]
    public async Task Import_KilledMidwayAndRunAgain_EndsLikeOneCleanRun(int seed)
    {
        var cluster = await ClusterSettings.NewAsync();
        var silo = await SiloProcess.StartAsync("import-" + seed, cluster);
        try
        {
            var (clean, resumed, theirs) = await CleanRunAsync(silo, seed);
            var interrupted = await RunKilledAsync(silo.Channel, resumed, theirs, seed, ImportRetry.None, silo.KillAsync);
            await Assert.ThrowsAnyAsync<RpcException>(() => interrupted);

            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync("import-" + seed + "-again", cluster);
            var again = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, resumed).Import, theirs, batchSize: BatchSize);
            Assert.Equal(0, again.Rejected);
            Assert.Equal(theirs.Count, again.Created + again.Updated + again.Unchanged);
            Assert.True(again.Unchanged > 0, "the run after the kill found what the first run had applied");
            output.WriteLine($"run again: {again}");
            await AssertLikeCleanRunAsync(silo, clean, resumed, theirs);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Import_ThroughASiloKilledAndStartedAgain_RetriesByItself_AndEndsLikeOneCleanRun()
    {
        // The client's own retry: the same call carries on once a silo serves again where it pointed.
        const int seed = 23;
        var cluster = await ClusterSettings.NewAsync();
        var silo = await SiloProcess.StartAsync("import-retry", cluster);
        try
        {
            var (clean, resumed, theirs) = await CleanRunAsync(silo, seed);
            var retries = 0;
            var retry = new ImportRetry(Attempts: 30, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), (_, _, _) => Interlocked.Increment(ref retries));
            var answers = new List<Grpc.V1.ImportRecordsResponse>();
            // A channel of its own: the silo's goes with it.
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GrpcPort}");
            var run = await RunKilledAsync(channel, resumed, theirs, seed, retry, silo.KillAsync, answers);
            var ports = silo.Ports;
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync("import-retry-again", cluster, ports);

            var counts = await run;
            output.WriteLine($"after {retries} retries: {counts}");
            Assert.True(retries > 0, "the killed silo made the import retry");
            Assert.Equal(0, counts.Rejected);
            Assert.Equal(theirs.Count, counts.Records);
            Assert.Equal(theirs.Count, counts.Created + counts.Updated + counts.Unchanged);

            // Every batch answered once, in order, with counts that never go back.
            Assert.Equal((theirs.Count + BatchSize - 1) / BatchSize, answers.Count(a => !a.Done));
            Assert.Equal(answers.Select(a => a.Counts.Records).Order(), answers.Select(a => a.Counts.Records));
            await AssertLikeCleanRunAsync(silo, clean, resumed, theirs);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>Imports a seeded dataset into a clean tenant; returns the tenants and the same records for the other one.</summary>
    private static async Task<(string Clean, string Resumed, IReadOnlyList<Grpc.V1.ImportRecord> Theirs)> CleanRunAsync(SiloProcess silo, int seed)
    {
        var clean = "clean" + seed;
        var resumed = "resumed" + seed;
        await DirectoryClient.CreateTenantAsync(silo.Channel, clean);
        await DirectoryClient.CreateTenantAsync(silo.Channel, resumed);
        var records = new ImportData(seed, $"{clean}.example.com", users: 300, groups: 30, membershipsPerUser: 4).Records();
        var cleanCounts = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, clean).Import, records, batchSize: BatchSize);
        Assert.Equal(0, cleanCounts.Rejected);
        Assert.Equal(records.Count, cleanCounts.Created);

        // The same records for the other tenant (its own domain).
        return (clean, resumed, new ImportData(seed, $"{resumed}.example.com", users: 300, groups: 30, membershipsPerUser: 4).Records());
    }

    /// <summary>
    /// Starts the import and returns it, still running, once a seeded number of its batches were
    /// answered and <paramref name="kill"/> ran. The rest of the records are held back until then, so
    /// that the kill always lands mid-import (the service applies what arrived quickly, several
    /// batches at once); the first attempt gets them only after it.
    /// </summary>
    private async Task<Task<Grpc.V1.ImportCounts>> RunKilledAsync(
        GrpcChannel channel, string tenant, IReadOnlyList<Grpc.V1.ImportRecord> records, int seed, ImportRetry retry, Func<Task> kill,
        List<Grpc.V1.ImportRecordsResponse>? answers = null)
    {
        var batches = (records.Count + BatchSize - 1) / BatchSize;
        var killAfter = new Random(seed).Next(1, batches - 1);
        var answered = 0;
        var killed = new TaskCompletionSource();
        var held = new ManualResetEventSlim();
        var run = ImportUpload.RunAsync(new DirectoryClient(channel, tenant).Import, HeldBack(records, killAfter * BatchSize, held), answer =>
        {
            answers?.Add(answer);
            if (Interlocked.Increment(ref answered) == killAfter)
            {
                killed.TrySetResult();
            }
        }, batchSize: BatchSize, retry: retry);
        await Task.WhenAny(killed.Task, run);
        Assert.False(run.IsCompleted, "the import was still running when the silo was to be killed");
        output.WriteLine($"seed {seed}: killing the silo after {answered} of {batches} batches were answered");
        await kill();
        held.Set();
        return run;
    }

    /// <summary>The records, pausing after <paramref name="count"/> of them until <paramref name="released"/> is set.</summary>
    private static IEnumerable<Grpc.V1.ImportRecord> HeldBack(IReadOnlyList<Grpc.V1.ImportRecord> records, int count, ManualResetEventSlim released)
    {
        for (var i = 0; i < records.Count; i++)
        {
            if (i == count && !released.Wait(TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException("the held-back records were never released");
            }

            yield return records[i];
        }
    }

    private static async Task AssertLikeCleanRunAsync(SiloProcess silo, string clean, string resumed, IReadOnlyList<Grpc.V1.ImportRecord> theirs)
    {
        var expected = await DirectorySnapshot.ReadAsync(new DirectoryClient(silo.Channel, clean));
        var actual = await DirectorySnapshot.ReadAsync(new DirectoryClient(silo.Channel, resumed));
        Assert.Equal(300, expected.Users.Count);
        Assert.Equal(expected.Members.Count, expected.MemberOf.Count);
        actual.AssertSameAs(expected with { Users = Domain(expected.Users, clean, resumed) });

        // Running it once more changes nothing.
        var third = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, resumed).Import, theirs, batchSize: BatchSize);
        Assert.Equal(theirs.Count, third.Unchanged);
    }

    private static SortedDictionary<string, string> Domain(SortedDictionary<string, string> users, string from, string to) =>
        new(users.ToDictionary(u => u.Key, u => u.Value.Replace($"@{from}.example.com", $"@{to}.example.com", StringComparison.Ordinal)), StringComparer.Ordinal);
}
