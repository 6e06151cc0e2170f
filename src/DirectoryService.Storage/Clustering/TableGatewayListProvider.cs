using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace DirectoryService.Storage.Clustering;

/// <summary>Lists the Orleans client gateways of the active silos, from the membership table.</summary>
public sealed class TableGatewayListProvider(
    IOptions<TableStorageOptions> options,
    IOptions<ClusterOptions> cluster,
    IOptions<GatewayOptions> gateway) : IGatewayListProvider
{
    private readonly TableClient _table = TableClients.Create(options.Value.ConnectionString, options.Value.ClusterTable, options.Value.MaxRetries);
    private readonly string _partition = TableKeys.Join(cluster.Value.ServiceId, cluster.Value.ClusterId);

    public TimeSpan MaxStaleness => gateway.Value.GatewayListRefreshPeriod;

    [Obsolete("Orleans no longer reads this; every provider is updatable.")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => _table.CreateIfNotExistsAsync();

    public async Task<IList<Uri>> GetGateways()
    {
        var partition = _partition;
        var rows = await _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition).ToListAsync();
        return [.. rows
            .Where(r => r.RowKey != MembershipRows.VersionRowKey && MembershipRows.IsActive(r) && MembershipRows.ProxyPort(r) > 0)
            .Select(r => SiloAddress.New(System.Net.IPAddress.Parse(r.GetString("Address")), MembershipRows.ProxyPort(r), r.GetInt32("Generation") ?? 0).ToGatewayUri())];
    }
}
