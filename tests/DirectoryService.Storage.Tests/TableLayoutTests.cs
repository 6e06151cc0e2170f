using DirectoryService.Storage.Tables;
using DirectoryService.Testing;

namespace DirectoryService.Storage.Tests;

/// <summary>
/// A deployment keeps the number of physical tables it was created with (where its data lives),
/// whatever the default of the version that runs it; a new one gets the default.
/// </summary>
public sealed class TableLayoutTests
{
    private static TableStorageOptions Named(string prefix, int? shards = null) => new()
    {
        GrainStateTable = prefix + "State",
        RowTable = prefix + "Rows",
        AuditTable = prefix + "Audit",
        TableShards = shards,
    };

    private static string[] Tables(string name, int count) => [.. TableShards.Names(name, count)];

    [Fact]
    public void A_new_deployment_gets_the_configured_count_or_the_default()
    {
        Assert.Equal(TableLayout.NewDeploymentShards, TableLayout.Decide(Named("d"), ["Other00", "DirectorySilos"]));
        Assert.Equal(8, TableLayout.Decide(Named("d", 8), []));
    }

    [Fact]
    public void An_existing_deployment_keeps_its_count_and_refuses_another()
    {
        string[] sixteen = [.. Tables("dState", 16), .. Tables("dRows", 16), .. Tables("dAudit", 16), "dStateArchive"];

        Assert.Equal(16, TableLayout.Decide(Named("d"), sixteen));
        Assert.Equal(16, TableLayout.Decide(Named("d", 16), sixteen));
        var refused = Assert.Throws<InvalidOperationException>(() => TableLayout.Decide(Named("d", 64), sixteen));
        Assert.Contains("TableShards is 64", refused.Message, StringComparison.Ordinal);
        Assert.Contains("spread over 16", refused.Message, StringComparison.Ordinal);

        // One table per logical table keeps the plain names.
        Assert.Equal(1, TableLayout.Decide(Named("d"), ["dState", "dRows", "dAudit"]));
    }

    [Fact]
    public void A_count_is_read_from_the_highest_table_and_disagreeing_tables_are_refused()
    {
        Assert.Equal(16, TableLayout.Existing(["dState00", "dState0f", "dState0F1", "dStatex1"], "dState"));
        Assert.Null(TableLayout.Existing(["dStates", "dRows00"], "dState"));
        Assert.Throws<InvalidOperationException>(() => TableLayout.Decide(Named("d"), [.. Tables("dState", 16), .. Tables("dRows", 64)]));
    }

    [Fact]
    public async Task A_layout_reads_the_tables_the_account_holds()
    {
        var connection = await Azurite.ConnectionStringAsync();
        var prefix = Azurite.NewTableName("layout");
        var options = Named(prefix);
        options.ConnectionString = connection;
        Assert.Equal(TableLayout.NewDeploymentShards, new TableLayout(Microsoft.Extensions.Options.Options.Create(options)).Shards);

        var created = TableShards.Create(options.GrainStateTable, 4, name => TableClients.Create(options, name));
        await created.CreateIfNotExistsAsync(CancellationToken.None);
        Assert.Equal(4, new TableLayout(Microsoft.Extensions.Options.Options.Create(options)).Shards);
    }

    [Fact]
    public async Task A_silo_starting_while_another_creates_the_tables_counts_them_all()
    {
        var options = Named(Azurite.NewTableName("race"), 32);
        options.ConnectionString = await Azurite.ConnectionStringAsync();
        var created = new List<string>();
        var tables = TableShards.Create(options.GrainStateTable, 32, name => new CreationOrder(TableClients.Create(options, name), created));

        await tables.CreateIfNotExistsAsync(CancellationToken.None);

        // At every moment of the creation, what a silo starting then would read is the full count.
        Assert.Equal(32, created.Count);
        for (var existing = 1; existing <= created.Count; existing++)
        {
            Assert.Equal(32, TableLayout.Decide(new TableStorageOptions { GrainStateTable = options.GrainStateTable }, created[..existing]));
        }
    }

    /// <summary>A table whose creation is recorded when storage has answered it.</summary>
    private sealed class CreationOrder(Azure.Data.Tables.TableClient table, List<string> created) : Azure.Data.Tables.TableClient
    {
        public override async Task<Azure.Response<Azure.Data.Tables.Models.TableItem>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
        {
            var answer = await table.CreateIfNotExistsAsync(cancellationToken);
            lock (created)
            {
                created.Add(table.Name);
            }

            return answer;
        }
    }
}
