using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tests.Common;

public sealed class SortedPageTests
{
    private static readonly string[] Keys = ["a", "b", "c", "d", "e"];

    [Fact]
    public void After_WalksEveryKeyOnce_ForEveryPageSize()
    {
        for (var size = 1; size <= 6; size++)
        {
            var seen = new List<string>();
            string? after = null;
            do
            {
                var page = SortedPage.After(Keys, after, size, k => k);
                Assert.True(page.Items.Count <= size);
                seen.AddRange(page.Items);
                after = page.Next;
            }
            while (after is not null);

            Assert.Equal(Keys, seen);
        }
    }

    [Fact]
    public void After_ContinuesAfterAKeyThatNoLongerExists()
    {
        var page = SortedPage.After(Keys, "bb", 2, k => k);
        Assert.Equal(["c", "d"], page.Items);
        Assert.Equal("d", page.Next);
    }
}
