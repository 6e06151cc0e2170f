using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Import;

namespace DirectoryService.Grains.Tests.Import;

/// <summary>The ids an import gives its new objects: placed in runs that share a storage partition, each id unique and a valid GUID.</summary>
public sealed class PlacedIdsTests
{
    [Fact]
    public void A_placed_id_is_a_version_8_guid_that_names_its_placement_and_a_plain_id_names_none()
    {
        var id = Identifiers.NewPlacedObjectId(0x0c7);
        Assert.Equal(id, Identifiers.ObjectId(id, DomainFields.Id));
        Assert.Equal(8, Guid.Parse(id).Version);
        Assert.StartsWith("0c7", id, StringComparison.Ordinal);
        Assert.Equal("0c7", Identifiers.PlacementOf(id));
        Assert.Null(Identifiers.PlacementOf(Identifiers.NewObjectId()));
        Assert.Null(Identifiers.PlacementOf(id.ToUpperInvariant()[..35]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Identifiers.NewPlacedObjectId(Identifiers.Placements));
    }

    [Fact]
    public void An_imports_new_ids_come_in_runs_of_one_placement_each_id_unique()
    {
        var resolver = new ExternalIdResolver(grains: null!, "contoso", new StoredObjects(storage: null!, "contoso"));
        var ids = Enumerable.Range(0, 1000).Select(i => resolver.NewId(ObjectKind.User, $"u{i}")).ToList();

        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(ids[7], resolver.NewId(ObjectKind.User, "u7"));
        var runs = ids.Chunk(ExternalIdResolver.ObjectsPerPlacement).Select(run => run.Select(Identifiers.PlacementOf).Distinct().ToList()).ToList();
        Assert.All(runs, run => Assert.Single(run));
        Assert.True(runs.Select(r => r[0]).Distinct().Count() >= 8, "runs take random placements, so a tenant fills its partitions evenly");
    }
}
