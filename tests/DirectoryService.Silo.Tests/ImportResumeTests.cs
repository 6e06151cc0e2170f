using DirectoryService.Grpc.Clients;
using DirectoryService.Testing;
using Grpc.Core;
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
            var clean = "clean" + seed;
            var resumed = "resumed" + seed;
            await DirectoryClient.CreateTenantAsync(silo.Channel, clean);
            await DirectoryClient.CreateTenantAsync(silo.Channel, resumed);
            var records = new ImportData(seed, $"{clean}.example.com", users: 300, groups: 30, membershipsPerUser: 4).Records();
            var cleanCounts = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, clean).Import, records, batchSize: BatchSize);
            Assert.Equal(0, cleanCounts.Rejected);
            Assert.Equal(records.Count, cleanCounts.Created);

            // The same records for the other tenant (its own domain), cut off after a seeded number of answered batches.
            var theirs = new ImportData(seed, $"{resumed}.example.com", users: 300, groups: 30, membershipsPerUser: 4).Records();
            var batches = (theirs.Count + BatchSize - 1) / BatchSize;
            var killAfter = new Random(seed).Next(1, batches - 1);
            var answered = 0;
            var killed = new TaskCompletionSource();
            var interrupted = ImportUpload.RunAsync(new DirectoryClient(silo.Channel, resumed).Import, theirs, answer =>
            {
                if (Interlocked.Increment(ref answered) == killAfter)
                {
                    killed.TrySetResult();
                }
            }, batchSize: BatchSize);
            await Task.WhenAny(killed.Task, interrupted);
            await silo.KillAsync();
            await Assert.ThrowsAnyAsync<RpcException>(() => interrupted);
            output.WriteLine($"seed {seed}: killed the silo after {answered} of {batches} batches were answered");

            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync("import-" + seed + "-again", cluster);
            var again = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, resumed).Import, theirs, batchSize: BatchSize);
            Assert.Equal(0, again.Rejected);
            Assert.Equal(theirs.Count, again.Created + again.Updated + again.Unchanged);
            Assert.True(again.Unchanged > 0, "the run after the kill found what the first run had applied");
            output.WriteLine($"run again: {again}");

            var expected = await DirectorySnapshot.ReadAsync(new DirectoryClient(silo.Channel, clean));
            var actual = await DirectorySnapshot.ReadAsync(new DirectoryClient(silo.Channel, resumed));
            Assert.Equal(300, expected.Users.Count);
            Assert.Equal(expected.Members.Count, expected.MemberOf.Count);
            actual.AssertSameAs(expected with { Users = Domain(expected.Users, clean, resumed) });

            // Running it once more changes nothing.
            var third = await ImportUpload.RunAsync(new DirectoryClient(silo.Channel, resumed).Import, theirs, batchSize: BatchSize);
            Assert.Equal(theirs.Count, third.Unchanged);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    private static SortedDictionary<string, string> Domain(SortedDictionary<string, string> users, string from, string to) =>
        new(users.ToDictionary(u => u.Key, u => u.Value.Replace($"@{from}.example.com", $"@{to}.example.com", StringComparison.Ordinal)), StringComparer.Ordinal);
}
