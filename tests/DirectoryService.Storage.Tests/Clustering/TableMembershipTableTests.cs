#pragma warning disable CS0618 // The non-Async IMembershipTable members are the ones Orleans 10 still requires.
using System.Net;
using DirectoryService.Storage.Clustering;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace DirectoryService.Storage.Tests.Clustering;

/// <summary>The membership-table contract, after Orleans's own MembershipTableTestsBase, against real Azurite.</summary>
public sealed class TableMembershipTableTests : IAsyncLifetime
{
    private static int _generation = 1;
    private TableStorageOptions _options = null!;
    private TableMembershipTable _table = null!;
    private string _clusterId = null!;

    public async Task InitializeAsync()
    {
        _options = await StorageTestServices.NewTablesAsync();
        _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        _table = Create(_clusterId);
        await _table.InitializeMembershipTable(tryInitTableVersion: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private TableMembershipTable Create(string clusterId, FaultInjection? faults = null) => new(
        TableClients.Create(_options.ConnectionString, _options.ClusterTable, 3, faults),
        StorageTestServices.Cluster(clusterId), StorageTestServices.Serializer, StorageTestServices.Log<TableMembershipTable>());

    private static MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, int port = 0)
    {
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port == 0 ? 20000 + Interlocked.Increment(ref _generation) : port, Interlocked.Increment(ref _generation)),
            Status = status,
            HostName = "host",
            SiloName = "silo" + _generation,
            ProxyPort = 30000,
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    [Fact]
    public async Task AChangeWhoseResponseWasLost_IsNeverReportedAsSuccess()
    {
        var version = (await _table.ReadAll()).Version;
        var entry = NewEntry();
        var flaky = Create(_clusterId, new FaultInjection { LoseResponses = 1 });

        Assert.False(await flaky.InsertRow(entry, version.Next()));

        // It did land: Orleans re-reads after a false and finds its own row.
        Assert.Equal(entry.SiloAddress, Assert.Single((await _table.ReadAll()).Members).Item1.SiloAddress);
    }

    [Fact]
    public async Task TransientFaults_AreRetried()
    {
        var flaky = Create(_clusterId, new FaultInjection { FailBeforeSending = 2 });
        Assert.True(await flaky.InsertRow(NewEntry(), (await _table.ReadAll()).Version.Next()));
    }

    [Fact]
    public async Task EveryRowOfACluster_SharesOnePartition_SoItsTransactionsAreValidOnAzure()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await _table.InsertRow(NewEntry(), (await _table.ReadAll()).Version.Next()));
        }

        var raw = TableClients.Create(_options.ConnectionString, _options.ClusterTable, 0);
        var partitions = await raw.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey"]).Select(e => e.PartitionKey).Distinct().ToListAsync();
        Assert.Single(partitions);
    }

    [Fact]
    public async Task Initialize_IsIdempotent_AndStartsAtVersionZero()
    {
        await Create(_clusterId).InitializeMembershipTable(tryInitTableVersion: true);
        var data = await _table.ReadAll();
        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task InsertRow_WithTheCurrentVersion_Succeeds_AndBumpsTheVersion()
    {
        var version = (await _table.ReadAll()).Version;
        var entry = NewEntry();
        Assert.True(await _table.InsertRow(entry, version.Next()));

        var data = await _table.ReadAll();
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(version.VersionEtag, data.Version.VersionEtag);
        var (stored, etag) = Assert.Single(data.Members);
        Assert.Equal(entry.SiloAddress, stored.SiloAddress);
        Assert.Equal(entry.Status, stored.Status);
        Assert.Equal(entry.SiloName, stored.SiloName);
        Assert.False(string.IsNullOrEmpty(etag));

        var row = await _table.ReadRow(entry.SiloAddress);
        Assert.Equal(entry.SiloAddress, Assert.Single(row.Members).Item1.SiloAddress);
        Assert.Equal(data.Version, row.Version);
    }

    [Fact]
    public async Task InsertRow_WithAStaleVersion_OrADuplicateSilo_Fails_AndChangesNothing()
    {
        var version = (await _table.ReadAll()).Version;
        var entry = NewEntry();
        Assert.True(await _table.InsertRow(entry, version.Next()));

        Assert.False(await _table.InsertRow(NewEntry(), version.Next()));
        var current = (await _table.ReadAll()).Version;
        Assert.False(await _table.InsertRow(entry, current.Next()));

        var data = await _table.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(current, data.Version);
    }

    [Fact]
    public async Task ConcurrentInserts_OnOneVersion_HaveExactlyOneWinner()
    {
        var version = (await _table.ReadAll()).Version;
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Create(_clusterId).InsertRow(NewEntry(), version.Next())));

        Assert.Equal(1, results.Count(ok => ok));
        var data = await _table.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_NeedsBothTheRowEtagAndTheVersionEtag()
    {
        var entry = NewEntry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var data = await _table.ReadAll();
        var etag = data.Members[0].Item2;

        entry.Status = SiloStatus.Active;
        Assert.True(await _table.UpdateRow(entry, etag, data.Version.Next()));

        entry.Status = SiloStatus.Dead;
        var current = await _table.ReadAll();
        Assert.False(await _table.UpdateRow(entry, etag, current.Version.Next()));
        Assert.False(await _table.UpdateRow(entry, current.Members[0].Item2, data.Version.Next()));

        var after = await _table.ReadAll();
        Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
        Assert.Equal(2, after.Version.Version);
    }

    [Fact]
    public async Task VersionIsMonotonic_AcrossChanges()
    {
        var versions = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var version = (await _table.ReadAll()).Version;
            Assert.True(await _table.InsertRow(NewEntry(), version.Next()));
            versions.Add((await _table.ReadAll()).Version.Version);
        }

        Assert.Equal([1, 2, 3, 4, 5], versions);
    }

    [Fact]
    public async Task UpdateIAmAlive_ChangesOnlyTheAliveTime()
    {
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();

        var later = entry.IAmAliveTime.AddMinutes(5);
        entry.IAmAliveTime = later;
        entry.Status = SiloStatus.Dead;
        await _table.UpdateIAmAlive(entry);

        var after = await _table.ReadAll();
        var stored = after.Members[0].Item1;
        Assert.Equal(SiloStatus.Active, stored.Status);
        Assert.Equal(later, stored.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOnlyOldRowsOfSilosThatAreNotActive()
    {
        var active = NewEntry(SiloStatus.Active);
        var dead = NewEntry(SiloStatus.Dead);
        Assert.True(await _table.InsertRow(active, (await _table.ReadAll()).Version.Next()));
        Assert.True(await _table.InsertRow(dead, (await _table.ReadAll()).Version.Next()));

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(2, (await _table.ReadAll()).Members.Count);

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(active.SiloAddress, Assert.Single((await _table.ReadAll()).Members).Item1.SiloAddress);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_RemovesOneClusterOnly()
    {
        var otherId = _clusterId + "-other";
        var other = Create(otherId);
        await other.InitializeMembershipTable(true);
        Assert.True(await other.InsertRow(NewEntry(), (await other.ReadAll()).Version.Next()));
        Assert.True(await _table.InsertRow(NewEntry(), (await _table.ReadAll()).Version.Next()));

        await _table.DeleteMembershipTableEntries(_clusterId);

        Assert.Single((await other.ReadAll()).Members);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _table.ReadAll());
    }

    [Fact]
    public async Task ReadAll_OfManySilos_ReturnsEveryRowOnce()
    {
        for (var i = 0; i < 30; i++)
        {
            Assert.True(await _table.InsertRow(NewEntry(), (await _table.ReadAll()).Version.Next()));
        }

        var data = await _table.ReadAll();
        Assert.Equal(30, data.Members.Count);
        Assert.Equal(30, data.Members.Select(m => m.Item1.SiloAddress).Distinct().Count());
        Assert.Equal(30, data.Version.Version);
    }

    [Fact]
    public async Task GatewayList_OffersActiveSilosOnly()
    {
        var active = NewEntry(SiloStatus.Active);
        Assert.True(await _table.InsertRow(active, (await _table.ReadAll()).Version.Next()));
        Assert.True(await _table.InsertRow(NewEntry(SiloStatus.Dead), (await _table.ReadAll()).Version.Next()));
        var gateways = new TableGatewayListProvider(Options.Create(_options), StorageTestServices.Cluster(_clusterId), Options.Create(new GatewayOptions()));
        await gateways.InitializeGatewayListProvider();

        var uri = Assert.Single(await gateways.GetGateways());
        Assert.Equal(SiloAddress.New(IPAddress.Loopback, active.ProxyPort, active.SiloAddress.Generation).ToGatewayUri(), uri);
    }
}
