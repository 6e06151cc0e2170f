using Azure;
using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;

namespace DirectoryService.Storage.Clustering;

/// <summary>
/// Orleans cluster membership in one Azure table partition per cluster. Every change to a silo row
/// is an entity group transaction that also replaces the version row on its etag: an atomic
/// compare-and-swap on the table version, so of concurrent changes exactly one wins.
/// </summary>
public sealed partial class TableMembershipTable(
    TableClient table,
    IOptions<ClusterOptions> cluster,
    Serializer serializer,
    ILogger<TableMembershipTable> logger) : IMembershipTable
{
    private const int MaxReadAttempts = 5;
    private readonly TableClient _table = table;

    public TableMembershipTable(IOptions<TableStorageOptions> options, IOptions<ClusterOptions> cluster, Serializer serializer, ILogger<TableMembershipTable> logger)
        : this(TableClients.Create(options.Value.ConnectionString, options.Value.ClusterTable, options.Value.MaxRetries), cluster, serializer, logger)
    {
    }

    private readonly MembershipRows _rows = new(serializer, cluster.Value.ServiceId);
    private readonly string _clusterId = cluster.Value.ClusterId;

    private string Partition => _rows.PartitionKey(_clusterId);

#pragma warning disable CS0618 // Orleans 10 marks the non-Async members obsolete but still requires them.
    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await _table.CreateIfNotExistsAsync();
        if (!tryInitTableVersion)
        {
            return;
        }

        try
        {
            await _table.AddEntityAsync(_rows.VersionRow(_clusterId, 0));
            LogCreatedVersionRow(logger, _clusterId);
        }
        catch (RequestFailedException e) when (TableErrors.IsConflict(e))
        {
            // Another silo created it first; all that matters is that it exists.
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        var partition = _rows.PartitionKey(clusterId);
        var rows = await _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["PartitionKey", "RowKey"]).ToListAsync();
        await DeleteAsync(rows, ETag.All);
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        var partition = Partition;
        var rows = await _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition).ToListAsync();
        var defunct = rows.Where(r => r.RowKey != MembershipRows.VersionRowKey && !MembershipRows.IsActive(r) && r.Timestamp < beforeDate).ToList();

        // Defunct rows are not part of any live silo's view, so removing them needs no version change.
        await DeleteAsync(defunct, null);
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        var partition = Partition;
        var siloKey = MembershipRows.RowKey(key);
        var rows = await _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && (e.RowKey == MembershipRows.VersionRowKey || e.RowKey == siloKey)).ToListAsync();
        return ToData(rows);
    }

    public async Task<MembershipTableData> ReadAll()
    {
        // A query that spans pages is not a snapshot. Every membership change replaces the version
        // row, so an unchanged version etag after the read proves no change happened during it.
        for (var attempt = 1; ; attempt++)
        {
            var partition = Partition;
            var rows = await _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition).ToListAsync();
            var before = rows.FirstOrDefault(r => r.RowKey == MembershipRows.VersionRowKey)?.ETag;
            var after = (await _table.GetEntityIfExistsAsync<TableEntity>(partition, MembershipRows.VersionRowKey, select: ["PartitionKey"])).Value?.ETag;
            if (before == after || attempt == MaxReadAttempts)
            {
                return ToData(rows);
            }

            LogTornRead(logger, attempt);
        }
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        SwapAsync(new TableTransactionAction(TableTransactionActionType.Add, _rows.SiloRow(_clusterId, entry)), tableVersion);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        SwapAsync(new TableTransactionAction(TableTransactionActionType.UpdateReplace, _rows.SiloRow(_clusterId, entry), new ETag(etag)), tableVersion);

    public async Task UpdateIAmAlive(MembershipEntry entry) =>
        await _table.UpdateEntityAsync(_rows.AliveRow(_clusterId, entry), ETag.All, TableUpdateMode.Merge);
#pragma warning restore CS0618

    /// <summary>Applies a silo-row change together with the version row's compare-and-swap; false if either condition fails.</summary>
    private async Task<bool> SwapAsync(TableTransactionAction siloChange, TableVersion version)
    {
        var versionChange = new TableTransactionAction(
            TableTransactionActionType.UpdateReplace, _rows.VersionRow(_clusterId, version.Version), new ETag(version.VersionEtag));
        try
        {
            await _table.SubmitTransactionAsync([siloChange, versionChange]);
            return true;
        }
        catch (TableTransactionFailedException e) when (TableErrors.IsLostRace(e))
        {
            LogContention(logger, e.Status, version.Version);
            return false;
        }
    }

    private MembershipTableData ToData(List<TableEntity> rows)
    {
        var versionRow = rows.FirstOrDefault(r => r.RowKey == MembershipRows.VersionRowKey)
            ?? throw new InvalidOperationException($"The membership partition of cluster '{_clusterId}' has no version row; was the table initialized?");
        var version = new TableVersion(versionRow.GetInt32(MembershipRows.VersionProperty) ?? 0, versionRow.ETag.ToString());
        var entries = rows.Where(r => r.RowKey != MembershipRows.VersionRowKey)
            .Select(r => Tuple.Create(_rows.Entry(r), r.ETag.ToString()))
            .ToList();
        return new MembershipTableData(entries, version);
    }

    /// <summary>Deletes rows in transactions of at most 100 (the entity group limit).</summary>
    private async Task DeleteAsync(List<TableEntity> rows, ETag? etag)
    {
        foreach (var batch in rows.Chunk(100))
        {
            var actions = batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, etag ?? r.ETag));
            try
            {
                await _table.SubmitTransactionAsync(actions);
            }
            catch (TableTransactionFailedException e) when (TableErrors.IsLostRace(e))
            {
                LogCleanupSkipped(logger, e.Status);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership version row of cluster {ClusterId}")]
    private static partial void LogCreatedVersionRow(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Membership change lost the version race (status {Status}, version {Version})")]
    private static partial void LogContention(ILogger logger, int status, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership read {Attempt} raced a change; reading again")]
    private static partial void LogTornRead(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "A membership cleanup batch raced another change (status {Status}); skipped")]
    private static partial void LogCleanupSkipped(ILogger logger, int status);
}
