using Azure;
using Azure.Data.Tables;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Notices storage that went back in time behind the silo — restored from a backup, or the local
/// emulator restarted on data that lacks its last seconds — so the silo can drop everything it
/// derived from what storage held before (its activations, its caches). In each of the grain-state,
/// row and audit tables the silo keeps a marker row of its own (partition <c>~rewind</c>, one row per
/// silo process), rewritten at every <see cref="CheckAsync"/> on the condition that it still holds
/// the silo's last write: a marker that is gone or older means the table went back in time. A table
/// restored to a point before the marker's last write is noticed at the next check. With
/// <c>afterOutage</c> (the emulator, which can lose its last seconds when it crashes) storage that
/// could not be reached since the last check counts as gone back too: a crash may have taken the
/// marker's last write with it or fallen between two checks.
/// </summary>
public sealed class RewindWatch(IReadOnlyList<TableClient> tables, bool afterOutage)
{
    public const string Partition = "~rewind";

    /// <summary>Marker rows of silo processes gone for this long are removed when a silo starts.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly Marker[] _markers = [.. tables.Select(t => new Marker(t))];
    private long _unreachable;
    private bool _checked;

    /// <summary>
    /// The watched tables of an account: the first physical table of grain state and of rows, and
    /// the audit table. Storage restores whole tables or accounts, so one table of each is enough.
    /// </summary>
    public static RewindWatch For(TableStorageOptions options, TableLayout layout, bool afterOutage) =>
        new([.. new[] { options.GrainStateTable, options.RowTable, options.AuditTable }
            .Select(name => TableClients.Create(options, TableShards.Names(name, layout.Shards)[0]))], afterOutage);

    /// <summary>
    /// Rewrites every marker; returns why storage may have gone back in time since the last check,
    /// or null. Throws when storage does not answer (the check is then not done).
    /// </summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var unreachable = UnreachableTries.Count;
        var outage = afterOutage && _checked && unreachable != _unreachable;
        var rewound = await Task.WhenAll(_markers.Select(m => m.RewriteAsync(_id, cancellationToken)));
        (_unreachable, _checked) = (unreachable, true);
        return rewound.FirstOrDefault(r => r is not null)
            ?? (outage ? "storage could not be reached for a while, and the emulator may have come back without its last writes" : null);
    }

    /// <summary>Removes the markers of silo processes long gone (best effort).</summary>
    public async Task RemoveStaleAsync(CancellationToken cancellationToken)
    {
        var before = DateTimeOffset.UtcNow - StaleAfter;
        foreach (var marker in _markers)
        {
            await foreach (var old in marker.Table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition && e.Timestamp < before, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await marker.Table.DeleteEntityAsync(old.PartitionKey, old.RowKey, ETag.All, cancellationToken);
            }
        }
    }

    /// <summary>
    /// One table's marker. Storage may hold any of the silo's writes since the last one it confirmed:
    /// a rewrite whose answer was lost (a timeout under load) may still have landed. Only a marker
    /// that is gone, or older than the last confirmed write, means the table went back in time.
    /// </summary>
    private sealed class Marker(TableClient table)
    {
        private long _writes;
        private long _confirmed;
        private ETag? _etag;

        public TableClient Table => table;

        public async Task<string?> RewriteAsync(string id, CancellationToken cancellationToken)
        {
            var entity = new TableEntity(Partition, id) { ["N"] = ++_writes };
            if (_etag is not { } etag)
            {
                _etag = (await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)).Headers.ETag;
                _confirmed = _writes;
                return null;
            }

            try
            {
                _etag = (await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag;
                _confirmed = _writes;
                return null;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412 && e.ErrorCode != "TableNotFound")
            {
                // This write's retry met its own first attempt, or an earlier write whose answer was lost had landed.
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
                if (stored.HasValue && stored.Value!.GetInt64("N") is { } held && held >= _confirmed && held <= _writes)
                {
                    (_etag, _confirmed) = (stored.Value.ETag, held);
                    return null;
                }

                _etag = null;
                return $"table {table.Name} went back in time: this silo's marker {(stored.HasValue ? $"holds its write {stored.Value!.GetInt64("N")}, older than its last confirmed write {_confirmed}" : "is gone")}";
            }
        }
    }
}
