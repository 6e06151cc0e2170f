using DirectoryService.Security;

namespace DirectoryService.Testing;

/// <summary>The settings every silo of one test cluster shares: storage, tables, cluster id and fast failure detection.</summary>
public sealed record ClusterSettings(string ConnectionString, string ClusterId, string GrainStateTable, string RowTable, string ClusterTable)
{
    /// <summary>The key the test silos trust; tests mint their callers' tokens with it.</summary>
    public static DevelopmentSigningKey SigningKey { get; } = DevelopmentSigningKey.Create();

    /// <summary>The page-token key every silo of this test run shares.</summary>
    public static string TokenKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static readonly Lazy<string> PublicKeyFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"directory-test-key-{Environment.ProcessId}.pem");
        File.WriteAllText(path, SigningKey.PublicKeyPem);
        return path;
    });

    public static async Task<ClusterSettings> NewAsync() => new(
        await Azurite.ConnectionStringAsync(),
        "c" + Guid.NewGuid().ToString("N")[..10],
        Azurite.NewTableName("state"),
        Azurite.NewTableName("rows"),
        Azurite.NewTableName("cluster"));

    /// <summary>A token for an application of <paramref name="tenant"/> (null: an operator) holding <paramref name="permissions"/>.</summary>
    public static string Token(string? tenant, params string[] permissions) => SigningKey.Mint(tenant, permissions);

    /// <summary>Command-line settings for one silo listening on the given gRPC, silo and gateway ports.</summary>
    public IEnumerable<(string Key, string Value)> Settings(int[] ports) =>
    [
        ("Kestrel:Endpoints:Grpc:Url", $"http://127.0.0.1:{ports[0]}"),
        // Plaintext: HTTP/2 only (gRPC needs it, and without TLS there is no protocol negotiation).
        ("Kestrel:Endpoints:Grpc:Protocols", "Http2"),
        ("Directory:Silo:SiloPort", ports[1].ToString()),
        ("Directory:Silo:GatewayPort", ports[2].ToString()),
        ("Directory:Silo:AdvertisedAddress", "127.0.0.1"),
        ("Directory:Silo:ClusterId", ClusterId),
        ("Directory:Silo:ServiceId", "directory-tests"),
        ("Directory:Storage:Mode", "AzureTable"),
        ("Directory:Storage:ConnectionString", ConnectionString),
        ("Directory:Storage:GrainStateTable", GrainStateTable),
        ("Directory:Storage:RowTable", RowTable),
        ("Directory:Storage:AuditTable", "audit" + ClusterId),
        ("Directory:Storage:ClusterTable", ClusterTable),
        ("Directory:Storage:ReminderTable", "reminders" + ClusterId),
        // Tests stop silos at once unless they test the drain.
        ("Directory:Silo:DrainPeriod", "00:00:00"),
        // Detect a killed silo in seconds rather than the production default of about half a minute.
        ("Directory:Membership:ProbeTimeout", "00:00:01"),
        ("Directory:Membership:NumMissedProbesLimit", "2"),
        ("Directory:Membership:IAmAliveTablePublishTimeout", "00:00:05"),
        ("Directory:Membership:TableRefreshTimeout", "00:00:02"),
        ("Directory:Auth:Audience", DevelopmentSigningKey.Audience),
        ("Directory:Auth:Issuers:0", DevelopmentSigningKey.Issuer),
        ("Directory:Auth:SigningKeys:0", PublicKeyFile.Value),
        ("Directory:Tokens:Keys:0", TokenKey),
        // Test silos share a machine: the dashboard's fixed loopback port would collide (DashboardTests turn it on).
        ("Directory:Dashboard:Enabled", "false"),
        ("Directory:Tls:AllowPlaintextOnLoopback", "true"),
        ("Logging:LogLevel:Default", "Warning"),
    ];
}
