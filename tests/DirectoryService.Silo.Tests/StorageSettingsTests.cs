using DirectoryService.Testing;

namespace DirectoryService.Silo.Tests;

/// <summary>A silo started with storage settings that cannot work stops at once, naming the setting (rather than failing on its first storage call).</summary>
public sealed class StorageSettingsTests
{
    [Theory]
    [InlineData("Directory:Storage:ServiceUri", "http://account.table.core.windows.net", "Directory:Storage:ServiceUri must be an absolute https URI")]
    [InlineData("Directory:Storage:ManagedIdentityClientId", "not-a-guid", "Directory:Storage:ManagedIdentityClientId")]
    public async Task AMalformedManagedIdentitySetting_StopsTheSilo_NamingIt(string setting, string value, string expected)
    {
        var cluster = await ClusterSettings.NewAsync();
        await using var silo = SiloProcess.Launch("bad-storage", cluster,
            ("Directory:Storage:ConnectionString", ""), ("Directory:Storage:ServiceUri", "https://account.table.core.windows.net"), (setting, value));
        var code = await silo.ExitCodeAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, code);
        Assert.Contains(expected, silo.Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionStringAndAServiceUri_AreRefusedTogether()
    {
        var cluster = await ClusterSettings.NewAsync();
        await using var silo = SiloProcess.Launch("both-storage", cluster, ("Directory:Storage:ServiceUri", "https://account.table.core.windows.net"));
        Assert.NotEqual(0, await silo.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Directory:Storage:ConnectionString and Directory:Storage:ServiceUri are both set", silo.Output(), StringComparison.Ordinal);
    }
}
