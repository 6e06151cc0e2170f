namespace DirectoryService.Testing;

/// <summary>The settings every silo of one test cluster shares: storage, tables, cluster id and fast failure detection.</summary>
public sealed record ClusterSettings(string ConnectionString, string ClusterId, string GrainStateTable, string RowTable, string ClusterTable)
{
    public static async Task<ClusterSettings> NewAsync() => new(
        await Azurite.ConnectionStringAsync(),
        "c" + Guid.NewGuid().ToString("N")[..10],
        Azurite.NewTableName("state"),
        Azurite.NewTableName("rows"),
        Azurite.NewTableName("cluster"));

    /// <summary>Command-line settings for one silo listening on the given gRPC, silo and gateway ports.</summary>
    public IEnumerable<(string Key, string Value)> Settings(int[] ports) =>
    [
        ("Kestrel:Endpoints:Grpc:Url", $"http://127.0.0.1:{ports[0]}"),
        ("Directory:Silo:SiloPort", ports[1].ToString()),
        ("Directory:Silo:GatewayPort", ports[2].ToString()),
        ("Directory:Silo:AdvertisedAddress", "127.0.0.1"),
        ("Directory:Silo:ClusterId", ClusterId),
        ("Directory:Silo:ServiceId", "directory-tests"),
        ("Directory:Storage:Mode", "AzureTable"),
        ("Directory:Storage:ConnectionString", ConnectionString),
        ("Directory:Storage:GrainStateTable", GrainStateTable),
        ("Directory:Storage:RowTable", RowTable),
        ("Directory:Storage:ClusterTable", ClusterTable),
        // Detect a killed silo in seconds rather than the production default of about half a minute.
        ("Directory:Membership:ProbeTimeout", "00:00:01"),
        ("Directory:Membership:NumMissedProbesLimit", "2"),
        ("Directory:Membership:IAmAliveTablePublishTimeout", "00:00:05"),
        ("Directory:Membership:TableRefreshTimeout", "00:00:02"),
        ("Logging:LogLevel:Default", "Warning"),
    ];
}
