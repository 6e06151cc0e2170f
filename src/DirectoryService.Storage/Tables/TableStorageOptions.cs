namespace DirectoryService.Storage.Tables;

/// <summary>Azure Table storage settings (section <c>Directory:Storage</c>).</summary>
public sealed class TableStorageOptions
{
    public const string Section = "Directory:Storage";

    /// <summary>Azurite's well-known development account: what a silo uses when neither a connection string nor a service URI is set.</summary>
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    /// <summary>
    /// Connection string of the storage account (an account key or SAS). Empty, with no
    /// <see cref="ServiceUri"/> either: Azurite's development account on this machine.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The account's table endpoint (<c>https://{account}.table.core.windows.net</c>), reached with
    /// Microsoft Entra credentials from Azure.Identity's <c>DefaultAzureCredential</c> (managed
    /// identity, workload identity, environment, or a developer's sign-in) instead of a key. Set this
    /// or <see cref="ConnectionString"/>, not both. The identity needs the "Storage Table Data
    /// Contributor" role on the account.
    /// </summary>
    public string ServiceUri { get; set; } = "";

    /// <summary>The client id of a user-assigned managed identity to use with <see cref="ServiceUri"/>; empty: the default identity.</summary>
    public string ManagedIdentityClientId { get; set; } = "";

    /// <summary>Table holding grain state.</summary>
    public string GrainStateTable { get; set; } = "DirectoryGrainState";

    /// <summary>Table holding row sets: member lists, "member of" indexes, listing indexes.</summary>
    public string RowTable { get; set; } = "DirectoryRows";

    /// <summary>Table holding the audit log.</summary>
    public string AuditTable { get; set; } = "DirectoryAudit";

    /// <summary>
    /// Table holding cluster membership (the official Orleans provider's layout; a new name, since
    /// versions before it kept a layout of their own in <c>DirectoryCluster</c>).
    /// </summary>
    public string ClusterTable { get; set; } = "DirectorySilos";

    /// <summary>Table holding Orleans reminders: durable scheduled work such as the purge of objects past retention (the official provider's layout).</summary>
    public string ReminderTable { get; set; } = "DirectoryReminders";

    /// <summary>
    /// Physical tables each of the grain-state, row and audit tables is spread over (1-64; 1 keeps the
    /// plain names); unset, the count the deployment's tables already have, or 64 for a new one
    /// (<see cref="TableLayout"/>). Fixed for a deployment: a count other than its tables' stops the
    /// silo. See <see cref="Tables.TableShards"/> for why.
    /// </summary>
    public int? TableShards { get; set; }

    /// <summary>
    /// Benchmarks only: a delay added to every storage request (0 by default). 5–10 ms is what Azure
    /// Table storage costs within a region, so a local run shows latency as it would be against Azure,
    /// and the difference per millisecond is the number of sequential round trips on an operation's path.
    /// </summary>
    public TimeSpan InjectedLatency { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Most connections a silo keeps open to the storage endpoint; requests beyond them wait in the
    /// silo for one. Azurite serves one request at a time on one thread, and with no bound a loaded
    /// silo opened a connection per request in flight (hundreds; the kernel logged a SYN flood when
    /// Azurite stalled). 64 keep Azure's latency hidden too: ~6,000 requests/s at 10 ms each.
    /// </summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>
    /// Most requests bulk work (an import) keeps in flight to storage at once, of
    /// <see cref="MaxConnections"/>; its others wait in the silo for a turn (<see cref="BulkLane"/>).
    /// Not set: three quarters of <see cref="MaxConnections"/>, and at most 8 on the local emulator,
    /// which serves one request at a time, so a deeper queue there only makes each request wait longer
    /// (with 48, an import's batch transactions queued behind each other and a database save past the
    /// 8-s <see cref="OperationTimeout"/>) — unless <see cref="InjectedLatency"/> makes it pose as
    /// Azure, where requests far away need many in flight (at 10 ms, 8 turns took an import 73 s, 48
    /// took 43 s).
    /// </summary>
    public int? BulkConnections { get; set; }

    /// <summary>The turns bulk work gets: <see cref="BulkConnections"/>, or its default.</summary>
    public int BulkTurns => BulkConnections ?? Math.Min(IsEmulator && InjectedLatency == TimeSpan.Zero ? 8 : int.MaxValue, Math.Max(1, MaxConnections * 3 / 4));

    /// <summary>Retries of a storage call that failed transiently (timeouts, 5xx, throttling).</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>
    /// Longest one storage operation may take, its retries included; past it the operation fails as
    /// unavailable (its outcome unknown) instead of hanging while storage is unreachable or paused.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Whether storage that could not be reached counts as gone back in time, so that once it answers
    /// again the silo drops its activations and caches (<see cref="RewindWatch"/>). Not set: yes for
    /// the local emulator (Azurite), which loses its last seconds of writes when it crashes; no for
    /// Azure Table storage, which loses no acknowledged write (a restore from a backup is noticed
    /// either way, by the silo's marker rows).
    /// </summary>
    public bool? RewindAfterOutage { get; set; }

    /// <summary>Whether the account is the local emulator's development account.</summary>
    public bool IsEmulator =>
        string.IsNullOrWhiteSpace(ServiceUri)
        && (string.IsNullOrWhiteSpace(ConnectionString)
            || ConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            || ConnectionString.Contains("AccountName=devstoreaccount1", StringComparison.OrdinalIgnoreCase));
}
