using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;

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
        foreach (var user in users.Values)
        {
            Assert.Equal([group.Id], await MemberOfAsync(user));
            Assert.Equal([group.Id], (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName })).GroupIds);
        }
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
        foreach (var (key, user) in users)
        {
            Assert.Equal([group.Id], await MemberOfAsync(key));
            Assert.Equal([group.Id], (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName })).GroupIds);
        }
    }
}
