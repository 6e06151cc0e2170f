using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// How many physical tables each of the grain-state, row and audit tables is spread over in this
/// deployment (<see cref="TableShards"/>). The count is part of where data lives, so it is read from
/// the tables storage already holds — <c>DirectoryGrainState00</c> … <c>DirectoryGrainState0f</c> is
/// 16 — and a deployment keeps the count it was created with across upgrades that change the default.
/// A new deployment gets <see cref="TableStorageOptions.TableShards"/>, or <see cref="NewDeploymentShards"/>.
/// A configured count that disagrees with the tables stops the silo: it would not find its data.
/// </summary>
public sealed partial class TableLayout
{
    /// <summary>
    /// The count a new deployment gets: Azurite answers every query by scanning the whole table (a
    /// partition query too), so queries cost in proportion to the table's size. A re-run of an import
    /// of 55,000 users and groups after a restart, which loads the 4,096 key buckets with one query
    /// each, took 49 s over 16 tables and 26 s over 64.
    /// </summary>
    public const int NewDeploymentShards = 64;

    private readonly Lazy<int> _shards;

    public TableLayout(IOptions<TableStorageOptions> options, ILogger<TableLayout>? logger = null)
        : this(options.Value, () => [.. TableClients.Service(options.Value).Query().Select(t => t.Name)], logger)
    {
    }

    /// <summary>A layout over the table names <paramref name="existing"/> lists (read once, when first asked).</summary>
    public TableLayout(TableStorageOptions options, Func<IReadOnlyList<string>> existing, ILogger? logger = null)
    {
        // Read when first asked, synchronously: tables are built by dependency injection at silo
        // start, and this is one listing of the account's tables.
        _shards = new(() =>
        {
            var tables = existing();
            var shards = Decide(options, tables);
            (logger ?? NullLogger.Instance).LogInformation(
                "Each of the tables {GrainStateTable}, {RowTable} and {AuditTable} is spread over {Shards} physical tables ({Source})",
                options.GrainStateTable, options.RowTable, options.AuditTable, shards,
                Existing(tables, options.GrainStateTable) is not null ? "as storage holds them" : options.TableShards is not null ? "configured, new" : "the default for a new deployment");
            return shards;
        }, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The deployment's count of physical tables per logical table.</summary>
    public int Shards => _shards.Value;

    /// <summary>The count for a deployment whose account holds the <paramref name="tables"/>.</summary>
    public static int Decide(TableStorageOptions options, IReadOnlyList<string> tables)
    {
        var found = new[] { options.GrainStateTable, options.RowTable, options.AuditTable }
            .Select(name => (Name: name, Shards: Existing(tables, name)))
            .Where(f => f.Shards is not null)
            .ToList();
        if (found.Select(f => f.Shards).Distinct().Count() > 1)
        {
            throw new InvalidOperationException(
                $"the storage account's tables are spread unevenly ({string.Join(", ", found.Select(f => $"{f.Name}: {f.Shards}"))}); they must all have the same count");
        }

        var existing = found.Count > 0 ? found[0].Shards : null;
        if (options.TableShards is { } configured && existing is { } stored && configured != stored)
        {
            throw new InvalidOperationException(
                $"Directory:Storage:TableShards is {configured}, but this deployment's tables are spread over {stored} ({found[0].Name}): set it to {stored}, or leave it unset");
        }

        return existing ?? options.TableShards ?? NewDeploymentShards;
    }

    /// <summary>
    /// How many physical tables <paramref name="name"/> is spread over among <paramref name="tables"/>:
    /// the plain name alone is one; <c>{name}00</c> … <c>{name}NN</c> are as many as the highest
    /// number says (a table not created yet still counts); null when there are none.
    /// </summary>
    public static int? Existing(IReadOnlyList<string> tables, string name)
    {
        var numbers = tables
            .Where(t => t.StartsWith(name, StringComparison.OrdinalIgnoreCase) && ShardSuffix().IsMatch(t[name.Length..]))
            .Select(t => Convert.ToInt32(t[name.Length..], 16))
            .ToList();
        if (numbers.Count > 0)
        {
            return numbers.Max() + 1;
        }

        return tables.Any(t => string.Equals(t, name, StringComparison.OrdinalIgnoreCase)) ? 1 : null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{2}$")]
    private static partial Regex ShardSuffix();
}
