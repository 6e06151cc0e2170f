using DirectoryService.Abstractions.Changes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Changes;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.DependencyInjection;
using DirectoryService.Grpc.Clients;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using P = DirectoryService.Security.Permissions;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Changes;

/// <summary>Delta queries: enumeration, every kind of change, empty and latest deltas, and the refusal of tokens that cannot be followed.</summary>
[Collection(SiloCollection.Name)]
public sealed class DeltaTests(SiloFixture silo)
{
    [Fact]
    public async Task Enumeration_ThenDeltas_KeepAMirrorExact()
    {
        var t = await silo.NewTenantAsync();
        var ana = await t.CreateUserAsync("ana");
        var ben = await t.CreateUserAsync("ben");
        var cy = await t.CreateUserAsync("cy");
        var staff = await t.CreateGroupAsync("staff");
        var admins = await t.CreateGroupAsync("admins");
        await t.AddAsync(staff, ana, ben, cy);
        await t.AddAsync(admins, ana, staff);

        var mirror = new DirectoryMirror();
        await SyncAsync(t, mirror, pageSize: 2);
        await AssertExactAsync(t, mirror);

        // Every kind of change: update, rename, delete, create, membership both ways, nesting, group rename and delete.
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = ana.Id, JobTitle = "Lead" }, UpdateMask = new FieldMask { Paths = { "job_title" } } });
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = ben.Id, UserPrincipalName = t.Upn("benjamin") }, UpdateMask = new FieldMask { Paths = { "user_principal_name" } } });
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = cy.Id });
        var dee = await t.CreateUserAsync("dee");
        await t.AddAsync(staff, dee);
        await t.RemoveAsync(staff, ana);
        await t.RemoveAsync(admins, staff);
        await t.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = staff.Id, DisplayName = "everyone" }, UpdateMask = new FieldMask { Paths = { "display_name" } } });
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = admins.Id });
        await SyncAsync(t, mirror, pageSize: 1);
        await AssertExactAsync(t, mirror);

        // Restores bring objects back, with the memberships they kept.
        await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = cy.Id });
        await t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = admins.Id });
        await SyncAsync(t, mirror);
        await AssertExactAsync(t, mirror);
        Assert.Equal([ana.Id], mirror.LiveMembers(admins.Id));
        Assert.Contains(cy.Id, mirror.LiveMembers(staff.Id));
    }

    [Fact]
    public async Task ChangedObject_ComesWithItsStateOrARemovedMarker()
    {
        var t = await silo.NewTenantAsync();
        var start = (await t.Changes.DeltaUsersAsync(new DeltaRequest { Latest = true })).DeltaToken;
        var ana = await t.CreateUserAsync("ana");
        var ben = await t.CreateUserAsync("ben");
        var deleted = await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = ben.Id });

        var page = await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = start });
        Assert.NotEmpty(page.DeltaToken);
        Assert.Empty(page.NextPageToken);
        var byId = page.Users.ToDictionary(u => u.Id);
        Assert.Equal(2, byId.Count);
        Assert.Equal(ana, byId[ana.Id].User);
        Assert.Equal(RemovedReason.Deleted, byId[ben.Id].Removed.Reason);
        Assert.Equal(deleted.DeleteTime, byId[ben.Id].Removed.DeleteTime);
        Assert.Equal(deleted.PurgeTime, byId[ben.Id].Removed.PurgeTime);
    }

    [Fact]
    public async Task GroupDelta_CarriesMemberReferencesAddedAndRemoved()
    {
        var t = await silo.NewTenantAsync();
        var ana = await t.CreateUserAsync("ana");
        var ben = await t.CreateUserAsync("ben");
        var team = await t.CreateGroupAsync("team");
        var inner = await t.CreateGroupAsync("inner");
        var start = (await t.Changes.DeltaGroupsAsync(new DeltaRequest { Latest = true })).DeltaToken;
        await t.AddAsync(team, ana, ben, inner);
        await t.RemoveAsync(team, ben);

        var page = await t.Changes.DeltaGroupsAsync(new DeltaRequest { Token = start });
        var change = Assert.Single(page.Groups);
        Assert.Equal(team.Id, change.Id);
        Assert.Equal("team", change.Group.DisplayName);
        Assert.Equal(new[] { ana.Id, inner.Id }.Order(StringComparer.Ordinal), change.MembersAdded.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal(ObjectType.Group, change.MembersAdded.Single(m => m.Id == inner.Id).Type);
        Assert.Equal([ben.Id], change.MembersRemoved.Select(m => m.Id));
    }

    [Fact]
    public async Task EmptyDelta_AnswersNoObjectsAndAFreshToken()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("ana");
        var mirror = new DirectoryMirror();
        await mirror.SyncUsersAsync(t.Changes);
        var empty = await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = mirror.UsersToken });
        Assert.Empty(empty.Users);
        Assert.NotEmpty(empty.DeltaToken);
        var again = await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = empty.DeltaToken });
        Assert.Empty(again.Users);
    }

    [Fact]
    public async Task EmptyDelta_OnActiveShards_ReadsNoStorage()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("ana");
        var token = (await t.Changes.DeltaUsersAsync(new DeltaRequest { Latest = true })).DeltaToken;
        using var calls = new StorageCallRecorder();
        for (var i = 0; i < 5; i++)
        {
            token = (await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = token })).DeltaToken;
        }

        Assert.Empty(calls.Under("/directory.v1.Changes/DeltaUsers"));
    }

    [Fact]
    public async Task LatestToken_SkipsWhatCameBefore()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("before");
        var latest = await t.Changes.DeltaUsersAsync(new DeltaRequest { Latest = true });
        Assert.Empty(latest.Users);
        var after = await t.CreateUserAsync("after");
        var page = await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = latest.DeltaToken });
        Assert.Equal([after.Id], page.Users.Select(u => u.Id));
    }

    [Fact]
    public async Task Tokens_ThatCannotBeFollowed_AreRefusedWithWhatToDo()
    {
        var t = await silo.NewTenantAsync();
        var other = await silo.NewTenantAsync();
        var token = (await t.Changes.DeltaUsersAsync(new DeltaRequest { Latest = true })).DeltaToken;

        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        await RpcAssert.Fails(StatusCode.InvalidArgument, "token", () => t.Changes.DeltaUsersAsync(new DeltaRequest { Token = tampered }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "token", () => t.Changes.DeltaUsersAsync(new DeltaRequest { Token = "not-a-token" }));
        Assert.Equal("DELTA_TOKEN_FOREIGN", await ReasonAsync(() => other.Changes.DeltaUsersAsync(new DeltaRequest { Token = token })));
        Assert.Equal("DELTA_TOKEN_FOREIGN", await ReasonAsync(() => t.Changes.DeltaGroupsAsync(new DeltaRequest { Token = token })));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "latest", () => t.Changes.DeltaUsersAsync(new DeltaRequest { Token = token, Latest = true }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "page_size", () => t.Changes.DeltaUsersAsync(new DeltaRequest { PageSize = 1000 }));

        // Seven days are fine; past them the token has expired.
        silo.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Empty((await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = token })).Users);
        silo.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("DELTA_TOKEN_EXPIRED", await ReasonAsync(() => t.Changes.DeltaUsersAsync(new DeltaRequest { Token = token })));
    }

    [Fact]
    public async Task Delta_NeedsTheKindsReadPermission()
    {
        var t = await silo.NewTenantAsync();
        var groupsOnly = new V1.Changes.ChangesClient(silo.Authorized(ClusterSettings.Token(t.Id, [P.GroupRead])));
        await RpcAssert.Fails(StatusCode.PermissionDenied, null, () => groupsOnly.DeltaUsersAsync(new DeltaRequest { Latest = true }));
        Assert.NotEmpty((await groupsOnly.DeltaGroupsAsync(new DeltaRequest { Latest = true })).DeltaToken);
    }

    [Fact]
    public async Task AChange_WhoseNoticeFails_IsNotStored()
    {
        var t = await silo.NewTenantAsync();
        var ana = await t.CreateUserAsync("ana");
        silo.Rows.FailWrites = set => set.TenantId == t.Id && set.Kind == "changes";
        try
        {
            Assert.NotEqual(StatusCode.OK, await Outcomes.StatusOf(async () => await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = ana.Id, JobTitle = "Lead" }, UpdateMask = new FieldMask { Paths = { "job_title" } } })));
        }
        finally
        {
            silo.Rows.FailWrites = null;
        }

        Assert.Equal(ana, await t.Users.GetUserAsync(new GetUserRequest { Id = ana.Id }));
    }

    [Fact]
    public async Task AMembershipChange_StoredWithoutItsNotice_IsNoticedOnceTheGroupIsReadAgain()
    {
        var t = await silo.NewTenantAsync();
        var ana = await t.CreateUserAsync("ana");
        var team = await t.CreateGroupAsync("team");
        var start = (await t.Changes.DeltaGroupsAsync(new DeltaRequest { Latest = true })).DeltaToken;

        // The member rows and the notice are written together: here the rows land and the notice does not.
        silo.Rows.FailWrites = set => set.TenantId == t.Id && set.Kind == "changes";
        try
        {
            Assert.NotEqual(StatusCode.OK, await Outcomes.StatusOf(() => t.AddAsync(team, ana)));
        }
        finally
        {
            silo.Rows.FailWrites = null;
        }

        // The change was not acknowledged, but it is durable: the group's next activation notices it again before anything else.
        var members = await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = team.Id });
        Assert.Equal([ana.Id], members.Members.Select(m => m.Id));
        var page = await t.Changes.DeltaGroupsAsync(new DeltaRequest { Token = start });
        var change = Assert.Single(page.Groups);
        Assert.Equal([ana.Id], change.MembersAdded.Select(m => m.Id));

        // Both directions agree, and the client's retry is answered as done.
        Assert.Equal([team.Id], await t.MemberGroupsAsync(ana));
        Assert.Equal(0, (await t.AddAsync(team, ana)).AddedCount);
    }

    [Fact]
    public async Task AMembershipChange_RetriedOnTheSameActivation_AfterItsNoticeFailed_LeavesBothDirectionsAgreeing()
    {
        var t = await silo.NewTenantAsync();
        var ana = await t.CreateUserAsync("ana");
        var ben = await t.CreateUserAsync("ben");
        var cy = await t.CreateUserAsync("cy");
        var team = await t.CreateGroupAsync("team");

        // A change this activation delivered, so that its owed row is one it would clear when idle.
        await t.AddAsync(team, cy);
        silo.Rows.FailWrites = set => set.TenantId == t.Id && set.Kind == "changes";
        try
        {
            Assert.NotEqual(StatusCode.OK, await Outcomes.StatusOf(() => t.AddAsync(team, ana)));
        }
        finally
        {
            silo.Rows.FailWrites = null;
        }

        // The retry and a later change go to the same activation: what the failed change owed is still delivered.
        Assert.Equal(0, (await t.AddAsync(team, ana)).AddedCount);
        Assert.Equal(1, (await t.AddAsync(team, ben)).AddedCount);
        Assert.Equal([team.Id], await t.MemberGroupsAsync(ana));
        Assert.Equal([team.Id], await t.MemberGroupsAsync(ben));
        Assert.Equal([team.Id], await t.MemberGroupsAsync(cy));
    }

    [Fact]
    public async Task Records_PastTheRetention_AreRemovedByTheService()
    {
        var t = await silo.NewTenantAsync();
        var early = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            early.Add((await t.CreateUserAsync()).Id);
        }

        Assert.NotEmpty(await RecordsAsync(t.Id));
        silo.Clock.Advance(ChangeFeeds.Retention + TimeSpan.FromHours(1));

        // Writes drive each shard's purge: write until every shard has had one.
        var late = new List<string>();
        while (late.Select(ChangeFeeds.ShardOf).Distinct().Count() < ChangeFeeds.Shards)
        {
            late.Add((await t.CreateUserAsync()).Id);
        }

        await Wait.UntilAsync(async () => (await RecordsAsync(t.Id)).All(r => late.Contains(r.ObjectId)), TimeSpan.FromSeconds(10), "the old records to be removed");
        var kept = await RecordsAsync(t.Id);
        Assert.Equal(late.Order(), kept.Select(r => r.ObjectId).Order());
        Assert.All(kept, r => Assert.True(silo.Clock.GetUtcNow() - r.AppendedAt < ChangeFeeds.Retention));
    }

    /// <summary>Every change record of the tenant's users feed, read from storage.</summary>
    private async Task<List<ChangeRecord>> RecordsAsync(string tenant)
    {
        var codec = silo.Services.GetRequiredService<RowCodec>();
        var records = new List<ChangeRecord>();
        for (var shard = 0; shard < ChangeFeeds.Shards; shard++)
        {
            // The first buckets of 1,024 positions hold all a test writes.
            for (var bucket = 0; bucket < 4; bucket++)
            {
                var rows = await silo.Rows.ReadAsync(RowSets.Changes(tenant, $"users/{shard}/{bucket:x}"), ChangeRows.Prefix, ChangeRows.End, 1000);
                records.AddRange(rows.Items.SelectMany(r => ChangeRows.Read(r, codec)));
            }
        }

        return records;
    }

    internal static async Task SyncAsync(TestTenant t, DirectoryMirror mirror, int pageSize = 0)
    {
        await mirror.SyncUsersAsync(t.Changes, pageSize);
        await mirror.SyncGroupsAsync(t.Changes, pageSize);
    }

    internal static async Task AssertExactAsync(TestTenant t, DirectoryMirror mirror)
    {
        var differences = await MirrorChecks.DifferencesAsync(t.Users, t.Groups, t.Members, mirror);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private static async Task<string?> ReasonAsync<T>(Func<AsyncUnaryCall<T>> call)
    {
        var error = await RpcAssert.Fails(StatusCode.FailedPrecondition, "token", call);
        return error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
    }
}
