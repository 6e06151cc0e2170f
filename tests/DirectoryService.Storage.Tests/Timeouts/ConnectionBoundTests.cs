using System.Globalization;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests.Timeouts;

/// <summary>
/// A silo opens at most <see cref="TableStorageOptions.MaxConnections"/> connections to storage;
/// requests beyond them wait in the silo for one. Without a bound, each request in flight opened its
/// own: hundreds under load, and a SYN flood in the kernel's log when Azurite stalled.
/// </summary>
public sealed class ConnectionBoundTests
{
    [Theory]
    [InlineData(3, 3)]
    [InlineData(64, 20)]
    public async Task Requests_in_flight_beyond_the_bound_wait_for_a_connection_of_the_silo(int maxConnections, int expected)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var options = new TableStorageOptions { ConnectionString = azurite.ConnectionString, MaxConnections = maxConnections, OperationTimeout = TimeSpan.FromSeconds(30) };
        var table = TableClients.Create(options, Azurite.NewTableName("bound"));
        await table.CreateIfNotExistsAsync();

        // Azurite paused, so every request stays in flight: 20 at once.
        azurite.Pause();
        Task reads;
        int open;
        try
        {
            reads = Task.WhenAll(Enumerable.Range(0, 20).Select(i => table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", $"r{i}")));
            await Task.Delay(TimeSpan.FromSeconds(1));
            open = EstablishedTo(azurite.Port);
        }
        finally
        {
            azurite.Resume();
        }

        await reads;
        Assert.Equal(expected, open);
    }

    /// <summary>Connections of this machine established to the local port (from /proc/net/tcp and tcp6: .NET's sockets are dual-mode).</summary>
    private static int EstablishedTo(int port) => new[] { "/proc/net/tcp", "/proc/net/tcp6" }.SelectMany(f => File.ReadLines(f).Skip(1))
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Count(f => f[3] == "01" && int.Parse(f[2].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port);
}
