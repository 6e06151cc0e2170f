using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Tests.Common;

/// <summary>Only ids in the form the directory mints are packed, and those read back exactly as written.</summary>
public sealed class PackedIdsTests
{
    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", true)]
    [InlineData("00000000-0000-0000-0000-000000000000", true)]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301", false)]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301", false)]
    [InlineData("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", false)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c330g", false)]
    [InlineData("3f2504e0-4f89-11d3-9a0c+0305e82c3301", false)]
    [InlineData("", false)]
    public void Packs_OnlyTheLowerCaseHyphenatedForm(string id, bool packs) => Assert.Equal(packs, PackedIds.Packs(id));

    [Fact]
    public void PackedIds_ReadBackAsWritten_InOrder_LeavingOutTheOthers()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid().ToString("D")).ToList();

        var packed = PackedIds.Pack([.. ids, "not-an-id", ids[0].ToUpperInvariant()]);

        Assert.Equal(ids.Count * PackedIds.Size, packed!.Length);
        Assert.Equal(ids, PackedIds.Unpack(packed));
        Assert.Null(PackedIds.Pack(["not-an-id"]));
        Assert.Empty(PackedIds.Unpack(null));
    }
}
