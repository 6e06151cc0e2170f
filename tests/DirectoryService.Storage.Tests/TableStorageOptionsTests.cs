using DirectoryService.Storage.Tables;

namespace DirectoryService.Storage.Tests;

/// <summary>The storage settings are checked at start-up; each problem names its setting.</summary>
public sealed class TableStorageOptionsTests
{
    private static readonly TableStorageOptionsValidator Validator = new();

    [Fact]
    public void AServiceUri_WithAManagedIdentity_IsValid()
    {
        var options = new TableStorageOptions { ServiceUri = "https://account.table.core.windows.net", ManagedIdentityClientId = Guid.NewGuid().ToString() };
        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal(new Uri(options.ServiceUri), TableClients.Service(options).Uri);
    }

    [Fact]
    public void NoAccountAtAll_MeansAzuritesDevelopmentAccount()
    {
        var options = new TableStorageOptions();
        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal("devstoreaccount1", TableClients.Service(options).AccountName);
    }

    [Fact]
    public void AnInjectedLatency_OutsideItsRange_NamesItsSetting()
    {
        var result = Validator.Validate(null, new TableStorageOptions { InjectedLatency = TimeSpan.FromSeconds(2) });
        Assert.Contains(result.Failures!, f => f.StartsWith("Directory:Storage:InjectedLatency must be between", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInjectedLatency_DelaysEveryRequest()
    {
        var connection = await DirectoryService.Testing.Azurite.ConnectionStringAsync();
        var table = TableClients.Create(new TableStorageOptions { ConnectionString = connection, InjectedLatency = TimeSpan.FromMilliseconds(200), MaxRetries = 0 }, DirectoryService.Testing.Azurite.NewTableName("latency"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("p", "r"));
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(400), $"two requests took {started.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task AStorageOperation_EndsAtItsTimeout_AsUnavailable()
    {
        var connection = await DirectoryService.Testing.Azurite.ConnectionStringAsync();
        var name = DirectoryService.Testing.Azurite.NewTableName("bounded");
        await TableClients.Create(new TableStorageOptions { ConnectionString = connection, MaxRetries = 0 }, name).CreateIfNotExistsAsync();
        var slow = new TableStorageOptions { ConnectionString = connection, InjectedLatency = TimeSpan.FromSeconds(3), OperationTimeout = TimeSpan.FromMilliseconds(200), MaxRetries = 0 };
        var table = TableClients.Create(slow, name);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r"));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed.TotalMilliseconds:0} ms against 3 s of latency");
        Assert.Contains("did not answer within 0.2 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStorageThatRefusesConnections_IsUnavailable_AsNotReached_NotAsATimeout()
    {
        // A port nothing listens on: every try is refused at once, well within the bound.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var refused = new TableStorageOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            OperationTimeout = TimeSpan.FromSeconds(5),
            MaxRetries = 0,
        };

        var e = await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() =>
            TableClients.Create(refused, "refused").GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r"));
        Assert.Equal("storage could not be reached", e.Message);
    }

    [Fact]
    public async Task AWritesDeadline_BoundsItsStorageOperations_AndOnceSpentNothingIsSent()
    {
        var connection = await DirectoryService.Testing.Azurite.ConnectionStringAsync();
        var name = DirectoryService.Testing.Azurite.NewTableName("deadline");
        await TableClients.Create(new TableStorageOptions { ConnectionString = connection, MaxRetries = 0 }, name).CreateIfNotExistsAsync();
        var table = TableClients.Create(new TableStorageOptions { ConnectionString = connection, InjectedLatency = TimeSpan.FromSeconds(3), MaxRetries = 0 }, name);
        try
        {
            DirectoryService.Abstractions.Common.CallDeadline.Set(DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
            var started = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r"));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed.TotalMilliseconds:0} ms against 3 s of latency");

            DirectoryService.Abstractions.Common.CallDeadline.Set(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1));
            var spent = await Assert.ThrowsAsync<DirectoryService.Abstractions.Common.StorageUnavailableException>(() => table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r"));
            Assert.Contains("time budget ran out", spent.Message, StringComparison.Ordinal);
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public void AnOperationTimeout_OutsideItsRange_NamesItsSetting()
    {
        var result = Validator.Validate(null, new TableStorageOptions { OperationTimeout = TimeSpan.Zero });
        Assert.Contains(result.Failures!, f => f.StartsWith("Directory:Storage:OperationTimeout must be between", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    public void MaxConnections_OutsideItsRange_NamesItsSetting(int maxConnections)
    {
        var result = Validator.Validate(null, new TableStorageOptions { MaxConnections = maxConnections });
        Assert.Contains(result.Failures!, f => f.StartsWith("Directory:Storage:MaxConnections must be between 1 and 1024", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(65, 64)]
    [InlineData(5, 4)]
    public void BulkConnections_OutsideOneToMaxConnections_NamesItsSetting(int bulk, int maxConnections)
    {
        var result = Validator.Validate(null, new TableStorageOptions { BulkConnections = bulk, MaxConnections = maxConnections });
        Assert.Contains(result.Failures!, f => f.StartsWith($"Directory:Storage:BulkConnections must be between 1 and Directory:Storage:MaxConnections ({maxConnections})", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 64, null, 0, 8)]
    [InlineData("", 4, null, 0, 3)]
    [InlineData("", 1, null, 0, 1)]
    [InlineData("", 64, null, 10, 48)]
    [InlineData("https://account.table.core.windows.net", 64, null, 0, 48)]
    [InlineData("https://account.table.core.windows.net", 64, 64, 0, 64)]
    public void BulkWork_GetsThreeQuartersOfTheConnections_AtMostEightOnTheEmulatorUnlessItPosesAsAzure(string serviceUri, int maxConnections, int? bulk, int latencyMs, int turns) =>
        Assert.Equal(turns, new TableStorageOptions { ServiceUri = serviceUri, MaxConnections = maxConnections, BulkConnections = bulk, InjectedLatency = TimeSpan.FromMilliseconds(latencyMs) }.BulkTurns);

    [Theory]
    [InlineData("UseDevelopmentStorage=true", "https://account.table.core.windows.net", "", "Directory:Storage:ConnectionString and Directory:Storage:ServiceUri are both set")]
    [InlineData("", "http://account.table.core.windows.net", "", "Directory:Storage:ServiceUri must be an absolute https URI")]
    [InlineData("", "account.table.core.windows.net", "", "Directory:Storage:ServiceUri must be an absolute https URI")]
    [InlineData("", "https://account.table.core.windows.net", "my-identity", "Directory:Storage:ManagedIdentityClientId must be the identity's client id")]
    [InlineData("", "", "3f1c1d3e-0000-4000-8000-000000000000", "Directory:Storage:ManagedIdentityClientId is set without Directory:Storage:ServiceUri")]
    public void AProblem_NamesItsSetting(string connectionString, string serviceUri, string clientId, string expected)
    {
        var result = Validator.Validate(null, new TableStorageOptions { ConnectionString = connectionString, ServiceUri = serviceUri, ManagedIdentityClientId = clientId });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
