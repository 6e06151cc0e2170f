using System.Diagnostics;
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
/// <para>
/// With <c>idleReads</c>, a silo that wrote nothing to storage since its markers' last rewrite only
/// reads them (and still notices one that is gone or older), and rewrites them at least every
/// <see cref="IdleRewrite"/>: a restore that lost none of its writes lost no state of its
/// activations (each grain's state is written by the silo that holds it); what its caches hold of
/// other silos' lost writes is dropped when those silos, which notice, revoke its read lease
/// (<c>SiloVouch</c>; hence only with read leases on). Rewriting them
/// every second whatever happened kept the emulator's database always changed, and the emulator
/// re-writes its whole database to disk every 5 s while anything changed — at the default dataset
/// (~350 MB) a stall of 2–3 s each time, on the thread that serves every request, long enough for
/// read leases to lapse: an idle silo kept the emulator busy and its own caches dropped.
/// </para>
/// </summary>
public sealed class RewindWatch(IReadOnlyList<TableClient> tables, bool afterOutage, bool idleReads = false, Func<long>? writes = null)
{
    /// <summary>The longest an idle silo leaves its markers unwritten.</summary>
    public static readonly TimeSpan IdleRewrite = TimeSpan.FromMinutes(10);

    private readonly Func<long> _writes = writes ?? (() => StorageTries.Writes);

    /// <summary>The silo's storage writes counted when the markers were last rewritten (their own included); null before.</summary>
    private long? _writesAtRewrite;

    private long _rewrittenAt;

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
    public static RewindWatch For(TableStorageOptions options, TableLayout layout, bool afterOutage, bool idleReads) =>
        new([.. new[] { options.GrainStateTable, options.RowTable, options.AuditTable }
            .Select(name => TableClients.Create(options, TableShards.Names(name, layout.Shards)[0]))], afterOutage, idleReads);

    /// <summary>
    /// Rewrites every marker; returns why storage may have gone back in time since the last check,
    /// or null. Throws when storage does not answer (the check is then not done).
    /// </summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var unreachable = StorageTries.Unreachable;
        var outage = afterOutage && _checked && unreachable != _unreachable;
        var writes = _writes();
        var idle = idleReads && _writesAtRewrite == writes && Stopwatch.GetElapsedTime(_rewrittenAt) < IdleRewrite && _markers.All(m => m.Confirmed);
        var rewound = await Task.WhenAll(_markers.Select(m => idle ? m.ReadAsync(_id, cancellationToken) : m.RewriteAsync(_id, cancellationToken)));
        if (!idle)
        {
            // The count before the rewrite and the rewrites' own writes (one each; a retried one
            // counts again, as any write): a write of the silo's that went out meanwhile counts as
            // one after the markers, so the next check writes them again.
            (_writesAtRewrite, _rewrittenAt) = (writes + _markers.Length, Stopwatch.GetTimestamp());
        }

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

        /// <summary>Whether the marker's last write is known to be stored (else the next check writes it again).</summary>
        public bool Confirmed => _etag is not null;

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
                return await ReadAsync(id, cancellationToken);
            }
        }

        /// <summary>Reads the marker: it must hold a write of this silo's since the last one it confirmed.</summary>
        public async Task<string?> ReadAsync(string id, CancellationToken cancellationToken)
        {
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
