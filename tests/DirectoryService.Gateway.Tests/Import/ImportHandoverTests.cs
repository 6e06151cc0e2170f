using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using Orleans.Core.Internal;
using Orleans.Runtime;

namespace DirectoryService.Gateway.Tests.Import;

/// <summary>
/// The "member of" updates a group hands over to an import (docs/import.md): kept for that import
/// until it applies them, and delivered by the group itself when it must be — on its way out, or
/// before another import's change — a bounded number of members at a time.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ImportHandoverTests(SiloFixture silo)
{
    [Fact]
    public async Task AGroupCollectedWhileItsHandoverIsOpen_DeliversItOnItsWayOut()
    {
        // An import holds the "member of" updates its groups handed over until it flushes them; a group
        // may be collected before that (idle, or under memory pressure). It must not leave its members'
        // side to a later activation that may never come.
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        using var call = t.Import.ImportRecords();
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.User("A"), r.User("B"), r.Group("G") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.Member("G", "A"), r.Member("G", "B") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var users = await t.UsersByExternalIdAsync("A", "B");
        var group = (await t.GroupsByExternalIdAsync("G"))["G"];
        async Task<string[]> MemberOfAsync(User user) =>
            [.. (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } })).GroupIds];
        Assert.Empty(await MemberOfAsync(users["A"]));

        await silo.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        foreach (var user in users.Values)
        {
            await Wait.UntilAsync(async () => (await MemberOfAsync(user)).SequenceEqual([group.Id]), TimeSpan.FromSeconds(10), $"{user.UserPrincipalName}'s side to name the group");
        }

        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.Done);
        var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id).Order().ToArray();
        Assert.Equal(users.Values.Select(u => u.Id).Order().ToArray(), members);
        await InOnlyAsync(t, users.Values, group.Id);
    }

    [Fact]
    public async Task AGroupCollectedWithMoreHandedOverThanItCanDeliverOnItsWayOut_ReadsItsOwedRowsOnce_ForEveryMemberAsking()
    {
        // A group holding a whole import's handover (90,000 members for "All users") cannot deliver it
        // within the runtime's deactivation time: it leaves it to its next activation (which it wakes).
        // The import's flush then asks that activation, for every member at once, whether it still owes
        // it; the owed rows are read (and their notices appended again) once for all of them — each used
        // to read them by itself, so none was answered in time and the import failed at its end.
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        using var call = t.Import.ImportRecords();
        async Task SendAsync(IEnumerable<ImportRecord> records)
        {
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { records } });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Empty(call.ResponseStream.Current.Rejections);
        }

        const int Members = 1_100;
        await SendAsync([.. Enumerable.Range(0, Members / 2).Select(i => r.User("M" + i)), r.Group("G")]);
        await SendAsync(Enumerable.Range(Members / 2, Members / 2).Select(i => r.User("M" + i)));
        await SendAsync(Enumerable.Range(0, Members / 2).Select(i => r.Member("G", "M" + i)));
        await SendAsync(Enumerable.Range(Members / 2, Members / 2).Select(i => r.Member("G", "M" + i)));
        var users = await t.UsersByExternalIdAsync("M0", "M549", "M550", "M1099");
        var group = (await t.GroupsByExternalIdAsync("G"))["G"];
        async Task<string[]> MemberOfAsync(User user) =>
            [.. (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } })).GroupIds];
        Assert.Empty(await MemberOfAsync(users["M0"]));

        silo.GrainCalls.Watch("AppendAsync");
        silo.GrainCalls.Watch("OwesAsync");
        await silo.Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.Done);

        // Each read of the owed rows appends the notices of their 1,100 members again: 5 notices of 256.
        var groupFeed = t.Id + "/groups/";
        var notices = silo.GrainCalls.TargetsOf("AppendAsync").Count(id => id.Key.ToString()!.StartsWith(groupFeed, StringComparison.Ordinal));
        var asked = silo.GrainCalls.TargetsOf("OwesAsync").Count(id => id.Equals(GrainId.Create("group", t.Id + "/" + group.Id)));
        Assert.True(asked >= Members && notices is >= 1 and <= 2 * 5, $"{asked} questions, {notices} notices");
        await InOnlyAsync(t, users.Values, group.Id);

        // The import's confirmation named the old activation's handovers, so the group still delivers
        // the updates itself (idempotently); a listing has it do so now rather than in the background
        // of the next tests on this silo, which count grain calls.
        await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id });
    }

    [Fact]
    public async Task MembersWhoseApplyTimesOut_AreAskedAgain_AndTheImportEndsDone()
    {
        // The flush at an import's end has every member apply its groups; a member's call that failed
        // because storage stalled under it failed the whole import there (twice on disk at scale 1),
        // and the client ran all of it again.
        var t = await silo.NewTenantAsync();
        using var call = await ImportRecordsFactory.OpenWithThreeMembersAsync(t);

        // As the storage provider reports a user's write that storage did not answer in time.
        silo.GrainCalls.FailNext("ApplyOwedMemberOfAsync", 3, () => new OrleansException(
            "Error from storage provider during WriteStateAsync", new StorageUnavailableException("injected: storage did not answer within 8 s")));
        silo.GrainCalls.FailNext("DeliveredAsync", 1, () => new TimeoutException("injected: the call timed out"));
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.Done);
        Assert.Equal(0, silo.GrainCalls.FailuresLeft("ApplyOwedMemberOfAsync") + silo.GrainCalls.FailuresLeft("DeliveredAsync"));
        var group = (await t.GroupsByExternalIdAsync("G"))["G"];
        await InOnlyAsync(t, (await t.UsersByExternalIdAsync("A", "B", "C")).Values, group.Id);
    }

    [Fact]
    public async Task AnImportWhoseGrainWentAwayMidStream_IsNotAcknowledged()
    {
        // Only the import's activation knows which "member of" updates its groups handed over to it.
        // The runtime's collection leaves it alone while the stream lasts; if it goes anyway, the
        // import must not answer done while the groups still owe the updates.
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        using var call = t.Import.ImportRecords();
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.User("A"), r.Group("G") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.Member("G", "A") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        var imports = (await management.GetActiveGrains(GrainType.Create("import"))).Where(id => id.Key.ToString()!.StartsWith(t.Id + "/", StringComparison.Ordinal)).ToList();
        Assert.Single(imports);
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.Contains(imports[0], await management.GetActiveGrains(GrainType.Create("import")));

        await silo.Grains.GetGrain(imports[0]).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await call.RequestStream.CompleteAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("run the import again", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALargeGroup_KeepsEveryBatchHandedOver_UntilAnotherImportsChange_DeliversThem()
    {
        // A group of several buckets takes each batch's members in a handover of its own and keeps
        // them all for the import that made them; another import's change delivers them first.
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        using var first = t.Import.ImportRecords();
        async Task SendAsync(AsyncDuplexStreamingCall<ImportRecordsRequest, ImportRecordsResponse> call, IEnumerable<ImportRecord> records)
        {
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { records } });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Empty(call.ResponseStream.Current.Rejections);
        }

        await SendAsync(first, [.. Enumerable.Range(0, 601).Select(i => r.User("L" + i)), r.Group("G")]);
        await SendAsync(first, Enumerable.Range(0, 300).Select(i => r.Member("G", "L" + i)));
        await SendAsync(first, Enumerable.Range(300, 300).Select(i => r.Member("G", "L" + i)));
        var users = await t.UsersByExternalIdAsync("L0", "L299", "L300", "L599", "L600");
        var group = (await t.GroupsByExternalIdAsync("G"))["G"];
        async Task<string[]> MemberOfAsync(string key) =>
            [.. (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = users[key].Id, Type = ObjectType.User } })).GroupIds];
        foreach (var key in new[] { "L0", "L299", "L300", "L599" })
        {
            Assert.Empty(await MemberOfAsync(key));
        }

        using (var second = t.Import.ImportRecords())
        {
            // The group delivers the 600 updates it holds for the first import before this change, a
            // bounded number at a time (256), not all 600 calls at once.
            silo.GrainCalls.ResetInFlight("AddMemberOfAsync");
            await SendAsync(second, [r.Member("G", "L600")]);
            Assert.InRange(silo.GrainCalls.MostInFlight("AddMemberOfAsync"), 1, 256);
            foreach (var key in new[] { "L0", "L299", "L300", "L599" })
            {
                Assert.Equal([group.Id], await MemberOfAsync(key));
            }

            Assert.Empty(await MemberOfAsync("L600"));
            await second.RequestStream.CompleteAsync();
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));
            Assert.True(second.ResponseStream.Current.Done);
            Assert.Equal([group.Id], await MemberOfAsync("L600"));
        }

        await first.RequestStream.CompleteAsync();
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(first.ResponseStream.Current.Done);
        var members = new List<string>();
        var request = new ListMembersRequest { GroupId = group.Id, PageSize = 999 };
        do
        {
            var page = await t.Members.ListMembersAsync(request);
            members.AddRange(page.Members.Select(m => m.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal(601, members.Distinct().Count());
        await InOnlyAsync(t, users.Values, group.Id);
    }

    /// <summary>Each user is in the group and no other: its "member of" side and its sign-in both say so.</summary>
    private static async Task InOnlyAsync(TestTenant t, IEnumerable<User> users, string groupId)
    {
        foreach (var user in users)
        {
            var memberOf = await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } });
            Assert.Equal([groupId], memberOf.GroupIds);
            Assert.Equal([groupId], (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName })).GroupIds);
        }
    }
}
