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

    /// <summary>Per table, its entity group transactions sent by the service's own writer, or null where the SDK sends them.</summary>
    private readonly TableTransactions?[] _transactions;

    /// <summary>The part of a partition key that picks the table (the whole key by default).</summary>
    private readonly Func<string, string> _shardKey;

    public TableShards(IReadOnlyList<TableClient> tables, IReadOnlyList<TableTransactions?>? transactions = null)
        : this(tables, transactions ?? new TableTransactions?[tables.Count], partitionKey => partitionKey)
    {
    }

    private TableShards(IReadOnlyList<TableClient> tables, IReadOnlyList<TableTransactions?> transactions, Func<string, string> shardKey)
    {
        if (tables.Count == 0)
        {
            throw new ArgumentException("at least one table", nameof(tables));
        }

        if (transactions.Count != tables.Count)
        {
            throw new ArgumentException("one writer of transactions, or null, per table", nameof(transactions));
        }

        _tables = [.. tables];
        _transactions = [.. transactions];
        _shardKey = shardKey;
    }

    /// <summary>
    /// The same tables, with the table of a partition picked by <paramref name="shardKey"/> of its
    /// key: partitions that share a shard key share a table, so one query can range over them.
    /// </summary>
    public TableShards By(Func<string, string> shardKey) => new(_tables, _transactions, shardKey);

    /// <summary>
    /// The physical tables of <paramref name="name"/>, each client made by <paramref name="client"/>,
    /// and the writer of each one's transactions by <paramref name="transactions"/> from its client
    /// (none: the SDK sends them).
    /// </summary>
    public static TableShards Create(string name, int count, Func<string, TableClient> client, Func<TableClient, TableTransactions?>? transactions = null)
    {
        TableClient[] tables = [.. Names(name, count).Select(client)];
        return new(tables, [.. tables.Select(t => transactions?.Invoke(t))]);
    }

    /// <summary>The names of the physical tables of <paramref name="name"/>.</summary>
    public static IReadOnlyList<string> Names(string name, int count) =>
        count == 1 ? [name] : [.. Enumerable.Range(0, count).Select(i => $"{name}{i:x2}")];

    public IReadOnlyList<TableClient> All => _tables;

    /// <summary>The physical table holding <paramref name="partitionKey"/>.</summary>
    public TableClient For(string partitionKey) => _tables[Index(partitionKey)];

    /// <summary>The service's own writer of transactions for the table holding <paramref name="partitionKey"/>; null: the SDK's.</summary>
    public TableTransactions? TransactionsFor(string partitionKey) => _transactions[Index(partitionKey)];

    private int Index(string partitionKey) =>
        _tables.Length == 1 ? 0 : (int)(TableKeys.StableHash(_shardKey(partitionKey)) % (uint)_tables.Length);

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
