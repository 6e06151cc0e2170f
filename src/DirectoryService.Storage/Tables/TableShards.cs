using Azure.Data.Tables;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// One logical table stored as <c>count</c> physical tables (<c>{name}00</c>, <c>{name}01</c>, …;
/// just <c>{name}</c> when the count is 1). A partition always maps to the same physical table (by a
/// stable hash of its key), so entity group transactions and partition queries are unchanged.
/// <para>
/// Why: Azurite keeps each table as one in-memory collection whose indexes cost time proportional
/// to the table's size on every update and delete, so one table holding a whole directory slows
/// every write as the directory grows. Tables cost nothing in Azure Table storage, where partitions,
/// not tables, are the unit of scale. The count is fixed for a deployment: changing it moves
/// partitions to other tables.
/// </para>
/// </summary>
public sealed class TableShards
{
    private readonly TableClient[] _tables;

    /// <summary>The part of a partition key that picks the table (the whole key by default).</summary>
    private readonly Func<string, string> _shardKey;

    public TableShards(IReadOnlyList<TableClient> tables)
        : this(tables, partitionKey => partitionKey)
    {
    }

    private TableShards(IReadOnlyList<TableClient> tables, Func<string, string> shardKey)
    {
        if (tables.Count == 0)
        {
            throw new ArgumentException("at least one table", nameof(tables));
        }

        _tables = [.. tables];
        _shardKey = shardKey;
    }

    /// <summary>
    /// The same tables, with the table of a partition picked by <paramref name="shardKey"/> of its
    /// key: partitions that share a shard key share a table, so one query can range over them.
    /// </summary>
    public TableShards By(Func<string, string> shardKey) => new(_tables, shardKey);

    /// <summary>The physical tables of <paramref name="name"/>, each client made by <paramref name="client"/>.</summary>
    public static TableShards Create(string name, int count, Func<string, TableClient> client) =>
        new([.. Names(name, count).Select(client)]);

    /// <summary>The names of the physical tables of <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> Names(string name, int count) =>
        count == 1 ? [name] : [.. Enumerable.Range(0, count).Select(i => $"{name}{i:x2}")];

    public IReadOnlyList<TableClient> All => _tables;

    /// <summary>The physical table holding <paramref name="partitionKey"/>.</summary>
    public TableClient For(string partitionKey) =>
        _tables.Length == 1 ? _tables[0] : _tables[TableKeys.StableHash(_shardKey(partitionKey)) % (uint)_tables.Length];

    /// <summary>
    /// Creates the tables that do not exist yet, the last one first: a silo that starts while
    /// another creates them counts them by the highest one (<see cref="TableLayout"/>), so it never
    /// counts fewer than there will be.
    /// </summary>
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        await _tables[^1].CreateIfNotExistsAsync(cancellationToken);
        await Task.WhenAll(_tables[..^1].Select(t => t.CreateIfNotExistsAsync(cancellationToken)));
    }

    public static implicit operator TableShards(TableClient table) => new([table]);
}
