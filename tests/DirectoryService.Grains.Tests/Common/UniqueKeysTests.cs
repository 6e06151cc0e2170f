using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tests.Common;

/// <summary>
/// A key's binding is stored under the grain id the key had when each key had a grain of its own,
/// in that id's storage spread: bindings stored before key buckets existed must be found by them.
/// The values are written out here, independently of the code.
/// </summary>
public sealed class UniqueKeysTests
{
    [Theory]
    [InlineData(UniqueKeyKind.PrincipalName, "alice@contoso.com", "upnindex/contoso/alice@contoso.com", "upn", "549")]
    [InlineData(UniqueKeyKind.UserExternalId, "E-1001", "externalidindex/contoso/user/E-1001", "externalid", "b2a")]
    [InlineData(UniqueKeyKind.GroupExternalId, "G-7", "externalidindex/contoso/group/G-7", "externalid", "217")]
    public void A_key_is_stored_where_its_own_grain_stored_it(UniqueKeyKind kind, string value, string rowId, string stateName, string bucket)
    {
        var key = new TenantKey(kind, value);

        Assert.Equal(rowId, UniqueKeys.RowId("contoso", key).ToString());
        Assert.Equal(stateName, UniqueKeys.StateName(kind));
        Assert.Equal(bucket, UniqueKeys.BucketOf("contoso", key));
        Assert.Equal(key, UniqueKeys.FromRow(UniqueKeys.RowId("contoso", key)));
    }

    [Fact]
    public void Rows_of_other_grains_name_no_key()
    {
        Assert.Null(UniqueKeys.FromRow(GrainId.Create("user", "contoso/0f8fad5b-d9cb-469f-a165-70867728950e")));
        Assert.Null(UniqueKeys.FromRow(GrainId.Create(GrainTypes.ExternalIdIndex, "contoso/device/D-1")));
    }
}
