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
}
