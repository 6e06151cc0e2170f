using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Membership;

namespace DirectoryService.Grains.Tests.Membership;

public sealed class UserCacheTests
{
    private static UserEntry Entry(string id, string upn, params string[] memberOf) =>
        new(id, new SignInSubject(upn, new PrincipalNode(ObjectState.Live, true, [.. memberOf]),
            new UserView(id, new UserProfile { UserPrincipalName = upn, DisplayName = id, AccountEnabled = true }, DateTimeOffset.UnixEpoch, "1", null)));

    [Fact]
    public void An_entry_is_found_by_id_and_by_name_in_any_case_until_the_user_is_invalidated()
    {
        var cache = new UserCache();
        Assert.True(cache.Store("t", cache.Invalidations("t"), Entry("u1", "Ada@Contoso.com", "g1")));
        Assert.Equal("u1", cache.ById("t", "u1")?.UserId);
        Assert.Equal("u1", cache.ByName("t", "ada@contoso.COM")?.UserId);
        Assert.Null(cache.ByName("other", "ada@contoso.com"));

        cache.Invalidate("t", "u1");
        Assert.Null(cache.ById("t", "u1"));
        Assert.Null(cache.ByName("t", "ada@contoso.com"));
    }

    [Fact]
    public void A_fill_that_began_before_an_invalidation_is_not_kept()
    {
        var cache = new UserCache();
        var before = cache.Invalidations("t");

        // The fill read the user's old snapshot; then the user changed and told this silo.
        cache.Invalidate("t", "u1");
        Assert.False(cache.Store("t", before, Entry("u1", "ada@contoso.com", "g1")));
        Assert.Null(cache.ById("t", "u1"));

        Assert.True(cache.Store("t", cache.Invalidations("t"), Entry("u1", "ada@contoso.com", "g2")));
        Assert.Equal("g2", Assert.Single(cache.ById("t", "u1")!.Subject.Node.MemberOf));
    }

    [Fact]
    public void A_renamed_user_is_no_longer_found_by_its_old_name()
    {
        var cache = new UserCache();
        cache.Store("t", cache.Invalidations("t"), Entry("u1", "ada@contoso.com"));
        cache.Store("t", cache.Invalidations("t"), Entry("u1", "lovelace@contoso.com"));
        Assert.Null(cache.ByName("t", "ada@contoso.com"));
        Assert.Equal("u1", cache.ByName("t", "lovelace@contoso.com")?.UserId);
        Assert.Equal(1, cache.Count("t"));
    }
}
