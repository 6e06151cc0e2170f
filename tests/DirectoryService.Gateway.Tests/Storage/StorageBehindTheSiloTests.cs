using Azure.Data.Tables;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Storage.Tables;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Tests.Storage;

/// <summary>
/// Storage that no longer holds what a silo last saw — restored from older data, or changed from
/// elsewhere — never makes a call fail with INTERNAL, and every write, a no-op included, leaves both
/// directions of a membership agreeing.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class StorageBehindTheSiloTests(SiloFixture silo)
{
    [Fact]
    public async Task AWrite_OnStateChangedBehindTheGrain_IsAborted_Reloaded_AndTheRetrySucceeds()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("behind");
        await TouchStoredStateAsync(user.Id);

        var update = new UpdateUserRequest { User = new User { Id = user.Id, Department = "moved" }, UpdateMask = new FieldMask { Paths = { "department" } } };
        var refused = await RpcAssert.Fails(StatusCode.Aborted, null, () => t.Users.UpdateUserAsync(update));
        Assert.Contains("reloaded", refused.Status.Detail, StringComparison.Ordinal);

        Assert.Equal("moved", (await t.Users.UpdateUserAsync(update)).Department);
        Assert.Equal("moved", (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).Department);
    }

    [Fact]
    public async Task ANoOpAdd_RepairsAMemberSideThatLags_AndANoOpRemove_Too()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("lagging");
        var group = await t.CreateGroupAsync("team");
        await t.AddAsync(group, user);

        // The member's side loses the group, as storage going back in time can leave it.
        await silo.Grains.User(t.Id, user.Id).RemoveMemberOfAsync(group.Id);
        Assert.Empty(await MemberOfAsync(t, user));
        await t.AddAsync(group, user);
        Assert.Equal([group.Id], await MemberOfAsync(t, user));
        Assert.Equal([group.Id], await t.MemberGroupsAsync(user));

        // And a side that still names a group it has left.
        var other = await t.CreateGroupAsync("other");
        await silo.Grains.User(t.Id, user.Id).AddMemberOfAsync(other.Id);
        await RpcAssert.Fails(StatusCode.NotFound, "member.id", () => t.RemoveAsync(other, user));
        Assert.Equal([group.Id], await MemberOfAsync(t, user));
    }

    [Fact]
    public async Task AUserFoundById_IsFoundByName_EvenIfItsNameBindingWasLost()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("unbound", u => u.ExternalId = "hr-unbound");

        // The bindings are lost, as storage going back in time can lose them.
        await DirectoryService.Grains.Users.UserPrincipalName.Index(silo.Grains, t.Id, user.UserPrincipalName).ReleaseAsync(user.Id);
        await DirectoryService.Grains.Indexing.ExternalIds.Index(silo.Grains, t.Id, ObjectKind.User, "hr-unbound").ReleaseAsync(user.Id);
        await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName }));

        Assert.Equal(user.Id, (await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id })).Id);
        Assert.Equal(user.Id, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = user.UserPrincipalName })).Id);
        Assert.Equal(user.Id, Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "hr-unbound" })).Users).Id);
    }

    /// <summary>Rewrites the user's stored state row unchanged, so its etag is no longer the one the grain holds.</summary>
    private async Task TouchStoredStateAsync(string userId)
    {
        var options = silo.Services.GetRequiredService<IOptions<TableStorageOptions>>().Value;
        var shards = TableShards.Create(options.GrainStateTable, silo.Services.GetRequiredService<TableLayout>().Shards, name => new TableClient(options.ConnectionString, name));
        foreach (var table in shards.All)
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                if (entity.RowKey.Contains(userId, StringComparison.Ordinal) && entity.RowKey.StartsWith("user~", StringComparison.Ordinal))
                {
                    await table.UpdateEntityAsync(new TableEntity(entity.PartitionKey, entity.RowKey), Azure.ETag.All, TableUpdateMode.Merge);
                    return;
                }
            }
        }

        throw new InvalidOperationException($"no stored state found for user {userId}");
    }

    private static async Task<List<string>> MemberOfAsync(TestTenant t, User user) =>
        [.. (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = TestTenant.Ref(user), PageSize = 100 })).GroupIds];
}
