using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Retention;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;

namespace DirectoryService.Gateway.Tests.Retention;

/// <summary>A silo whose retention reminders tick every second (an hour by default).</summary>
public sealed class FastRetentionFixture : SiloFixture
{
    protected override Dictionary<string, string?> ExtraSettings => new() { [RetentionOptions.Section + ":SweepPeriod"] = "00:00:01" };
}

[CollectionDefinition(Name)]
public sealed class FastRetentionCollection : ICollectionFixture<FastRetentionFixture>
{
    public const string Name = "fast-retention";
}

/// <summary>The tenant's reminder runs the sweep by itself: no call is needed for an object past retention to be purged.</summary>
[Collection(FastRetentionCollection.Name)]
public sealed class RetentionReminderTests(FastRetentionFixture silo)
{
    [Fact]
    public async Task TheTenantsReminder_PurgesAnObjectPastRetention_WithoutAnyCall()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("reminded");
        var group = await t.CreateGroupAsync("reminded");
        await t.AddAsync(group, user);
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = user.Id });

        silo.Clock.Advance(Limits.SoftDeleteRetention + TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        await Wait.UntilAsync(
            async () => (await silo.Audit.ListAsync(t.Id, null, null, null, 100)).Items.Any(r => r.Operation == RetentionGrain.PurgeOperation && r.Targets.Contains(user.Id)),
            TimeSpan.FromSeconds(30), "the reminder to purge the user");

        Assert.Empty((await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id, PageSize = 10 })).Members);
    }
}
