using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Common;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>
/// Keys bound ahead for objects an import is about to create (<see cref="IKeyBucketGrain.BindUnboundAsync"/>):
/// only unbound keys are taken, the first claim of a key winning, and a key bound to an object that
/// never comes to hold it stays free for anyone who asks.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class KeysBoundAheadTests(SiloFixture silo)
{
    [Fact]
    public async Task Only_unbound_keys_are_bound_the_first_claim_wins_and_a_key_no_object_holds_is_taken_over()
    {
        var t = await silo.NewTenantAsync();
        var held = await t.CreateUserAsync("held", u => u.ExternalId = "HELD");
        var (first, second) = (Identifiers.NewPlacedObjectId(7), Identifiers.NewPlacedObjectId(7));
        TenantKey Upn(string local) => new(UniqueKeyKind.PrincipalName, t.Upn(local).ToLowerInvariant());
        var external = new TenantKey(UniqueKeyKind.UserExternalId, "AHEAD");

        var bound = await UniqueKeys.BindUnboundAsync(silo.Grains, t.Id,
            [new(Upn("held"), first), new(Upn("ahead"), first), new(Upn("ahead"), second), new(external, first), new(new(UniqueKeyKind.UserExternalId, "HELD"), second)]);

        Assert.Equal(2, bound);
        Assert.Equal(held.Id, await OwnerAsync(t, Upn("held")));
        Assert.Equal(first, await OwnerAsync(t, Upn("ahead")));
        Assert.Equal(first, await OwnerAsync(t, external));
        Assert.Equal(held.Id, await OwnerAsync(t, new(UniqueKeyKind.UserExternalId, "HELD")));

        // Bound again: nothing changes, whoever claims.
        Assert.Equal(0, await UniqueKeys.BindUnboundAsync(silo.Grains, t.Id, [new(Upn("ahead"), second), new(external, first)]));
        Assert.Equal(first, await OwnerAsync(t, Upn("ahead")));

        // No object ever came to hold them: a create through the API takes both over, and sign-in finds it.
        var taker = await t.CreateUserAsync("ahead", u => u.ExternalId = "AHEAD");
        Assert.Equal(taker.Id, await OwnerAsync(t, Upn("ahead")));
        Assert.Equal(taker.Id, await OwnerAsync(t, external));
        Assert.Equal(taker.Id, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("ahead") })).Id);
        Assert.Equal(0, await UniqueKeys.BindUnboundAsync(silo.Grains, t.Id, [new(Upn("ahead"), second)]));
    }

    private Task<string?> OwnerAsync(TestTenant t, TenantKey key) => UniqueKeys.Binder(silo.Grains, t.Id, key).GetOwnerAsync();
}
