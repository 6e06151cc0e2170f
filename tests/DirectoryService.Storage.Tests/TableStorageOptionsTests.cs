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
