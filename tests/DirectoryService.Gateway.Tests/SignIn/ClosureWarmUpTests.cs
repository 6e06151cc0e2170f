using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Membership;
using DirectoryService.Grpc.V1;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryService.Gateway.Tests.SignIn;

/// <summary>A starting silo warms its group closures, so a user's first sign-in walks up through no group.</summary>
[Collection(SiloCollection.Name)]
public sealed class ClosureWarmUpTests(SiloFixture silo)
{
    [Fact]
    public async Task After_warming_a_first_sign_in_calls_no_group_and_is_exact()
    {
        var t = await silo.NewTenantAsync();
        var top = await t.CreateGroupAsync("top");
        var mid = await t.CreateGroupAsync("mid");
        var leaf = await t.CreateGroupAsync("leaf");
        var other = await t.CreateGroupAsync("other");
        var gone = await t.CreateGroupAsync("gone");
        await t.AddAsync(top, mid);
        await t.AddAsync(mid, leaf);
        var first = await t.CreateUserAsync();
        var second = await t.CreateUserAsync();
        foreach (var group in new[] { leaf, other, gone })
        {
            await t.AddAsync(group, first, second);
        }

        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = gone.Id });
        var expected = new[] { top.Id, mid.Id, leaf.Id, other.Id }.Order(StringComparer.Ordinal).ToList();
        var closures = silo.Services.GetRequiredService<ClosureCache>();

        // Cold closures: a first sign-in asks the groups above the user for their nodes.
        closures.Invalidate(t.Id);
        var before = silo.GrainCalls.CallsTo("group");
        Assert.Equal(expected, (await SignInAsync(t, first)).GroupIds);
        Assert.True(silo.GrainCalls.CallsTo("group") > before);

        // Warmed: every group's closure is cached (a deleted one's is empty, but its members still
        // name it); a first sign-in asks no group.
        closures.Invalidate(t.Id);
        await silo.Services.GetRequiredService<ClosureWarmer>().WarmTenantAsync(t.Id, CancellationToken.None);
        Assert.Equal(5, closures.Count(t.Id));
        before = silo.GrainCalls.CallsTo("group");
        Assert.Equal(expected, (await SignInAsync(t, second)).GroupIds);
        Assert.Equal(before, silo.GrainCalls.CallsTo("group"));

        // Warmed closures are dropped like any other on a change of nesting.
        await t.RemoveAsync(mid, leaf);
        Assert.Equal(new[] { leaf.Id, other.Id }.Order(StringComparer.Ordinal), (await SignInAsync(t, second)).GroupIds);
    }

    [Fact]
    public async Task The_silo_reports_serving_once_warming_is_done()
    {
        var warmer = silo.Services.GetRequiredService<ClosureWarmer>();
        await warmer.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var health = await new Health.HealthClient(silo.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static async Task<ResolveSignInResponse> SignInAsync(TestTenant t, User user) =>
        await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName });
}
