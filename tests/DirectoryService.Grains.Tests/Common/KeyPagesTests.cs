using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Tests.Common;

/// <summary>
/// A key bucket's bindings in pages: each change lands in the page that holds the key, a new key in
/// the last page with room, and what a plan writes reads back as the bindings it made. Bindings
/// stored before pages, a row per key, stay readable and a page entry overrides them.
/// </summary>
public sealed class KeyPagesTests
{
    private static TenantKey Upn(int i, int length = 20) => new(UniqueKeyKind.PrincipalName, $"user{i}@".PadRight(length, 'x') + ".example.com");

    private static string Id(int i) => $"00000000-0000-4000-8000-{i:d12}";

    [Fact]
    public void Keys_fill_a_page_before_the_next_and_a_plan_reads_back_as_written()
    {
        var pages = new KeyPages();
        var keys = Enumerable.Range(0, 300).Select(i => Upn(i, 200)).ToList();

        var plan = pages.Plan([.. keys.Select((k, i) => (k, (string?)Id(i)))]);
        pages.Commit(Written(plan));

        // 300 keys of up to 684 bytes each (212 characters in UTF-8 at worst, and a holder): as few
        // pages as hold them, each full but the last, none over its size.
        const int entry = 3 * 212 + 48;
        Assert.Equal(pages.PageCount, plan.Pages.Count);
        Assert.Equal((300 + (KeyPages.PageBytes / entry) - 1) / (KeyPages.PageBytes / entry), pages.PageCount);
        Assert.All(plan.Pages, p => Assert.True(p.Entries.Count * entry <= KeyPages.PageBytes, $"page {p.Number}: {p.Entries.Count} keys"));
        Assert.All(plan.Pages.SkipLast(1), p => Assert.Equal(KeyPages.PageBytes / entry, p.Entries.Count));
        Assert.Equal(300, plan.Pages.Sum(p => p.Row.State!.Keys!.Count));

        var reread = KeyPages.Load(plan.Pages.Select(p => (p.Number, p.Row)), []);
        Assert.All(keys.Select((k, i) => (k, i)), x => Assert.Equal(Id(x.i), reread.HolderOf(x.k)));
        Assert.Null(reread.HolderOf(Upn(1000)));
    }

    [Fact]
    public void A_change_rewrites_only_the_page_holding_the_key_on_its_etag_and_an_unbinding_leaves_no_entry()
    {
        var pages = new KeyPages();
        pages.Commit(Written(pages.Plan([.. Enumerable.Range(0, 100).Select(i => (Upn(i, 200), (string?)Id(i)))])));
        var key = Upn(5, 200);

        var rebind = pages.Plan([(key, Id(500))]);
        var page = Assert.Single(rebind.Pages);
        Assert.Equal(0, page.Number);
        Assert.Equal("etag-0", page.Row.ETag);
        Assert.Equal(Id(5), pages.HolderOf(key)); // nothing changes before the commit
        pages.Commit(Written(rebind));
        Assert.Equal(Id(500), pages.HolderOf(key));

        var release = Assert.Single(pages.Plan([(key, null)]).Pages);
        Assert.DoesNotContain(release.Row.State!.Keys!, e => e.Key == key);
        pages.Commit(Written(new KeyPagesPlan([release])));
        Assert.Null(pages.HolderOf(key));

        // Unbinding a key bound nowhere writes nothing.
        Assert.Empty(pages.Plan([(Upn(1000), null)]).Pages);
    }

    [Fact]
    public void A_key_stored_in_a_row_of_its_own_is_read_as_it_was_and_overridden_by_its_page_entry()
    {
        var (kept, released, rebound) = (Upn(1), Upn(2), Upn(3));
        var pages = KeyPages.Load([], [(kept, Id(1)), (released, Id(2)), (rebound, Id(3))]);
        Assert.Equal(Id(2), pages.HolderOf(released));

        var plan = pages.Plan([(released, null), (rebound, Id(30))]);
        var page = Assert.Single(plan.Pages);
        Assert.Contains(new PagedKey(released, ""), page.Row.State!.Keys!); // an unbinding that outweighs the old row
        Assert.Null(page.Row.ETag);
        pages.Commit(Written(plan));

        var reread = KeyPages.Load(plan.Pages.Select(p => (p.Number, p.Row)), [(kept, Id(1)), (released, Id(2)), (rebound, Id(3))]);
        Assert.Equal(Id(1), reread.HolderOf(kept));
        Assert.Null(reread.HolderOf(released));
        Assert.Equal(Id(30), reread.HolderOf(rebound));
    }

    [Fact]
    public void Page_rows_are_kept_in_the_bucket_they_belong_to_and_name_their_number()
    {
        var row = KeyPages.RowId("contoso", "1c4", 12);

        Assert.Equal("spreadrow/contoso/1c4/keys12", row.ToString());
        Assert.Equal("1c4", StateSpreads.NamedSpread(row));
        Assert.Equal(12, KeyPages.NumberOf(row));
        Assert.Null(KeyPages.NumberOf(UniqueKeys.RowId("contoso", Upn(1))));
        Assert.Null(UniqueKeys.FromRow(row));
    }

    /// <summary>The plan as storage leaves it after writing: each row with an etag of its own.</summary>
    private static KeyPagesPlan Written(KeyPagesPlan plan)
    {
        foreach (var page in plan.Pages)
        {
            page.Row.ETag = $"etag-{page.Number}";
            page.Row.RecordExists = true;
        }

        return plan;
    }
}
