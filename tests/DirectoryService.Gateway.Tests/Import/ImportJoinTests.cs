using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Import;

/// <summary>Batches that arrive while another is applied, applied as one where order cannot matter: each still answered for itself.</summary>
[Collection(SiloCollection.Name)]
public sealed class ImportJoinTests(SiloFixture silo)
{
    private const string Operation = "/directory.v1.Import/ImportRecords";

    [Fact]
    public async Task MembershipBatches_SentTogether_AreAppliedAsOne_AndEachIsAnsweredWithItsOwnRejectionsAndRunningCounts()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        var users = Enumerable.Range(0, 40).Select(i => "U" + i).ToList();
        var groups = Enumerable.Range(0, 5).Select(i => "G" + i).ToList();
        await t.ImportAsync([.. users.Select(u => r.User(u)), .. groups.Select(g => r.Group(g))]);
        var auditBefore = (await silo.AuditRecordsAsync(t.Id, Operation)).Count;

        // Ten batches of users joining groups, each with one member nobody has and one repeat of the batch before's first record.
        var batches = new List<List<ImportRecord>>();
        var bad = new List<long>();
        var expected = new HashSet<(string Group, string User)>();
        for (var k = 0; k < 10; k++)
        {
            var batch = new List<ImportRecord>();
            if (k > 0)
            {
                var repeat = batches[k - 1][0].Membership;
                batch.Add(r.Member(repeat.GroupExternalId, repeat.MemberExternalId));
            }

            for (var j = 0; j < 12; j++)
            {
                var (group, user) = (groups[(k + j) % groups.Count], users[(k * 7 + j * 3) % users.Count]);
                batch.Add(r.Member(group, user));
                expected.Add((group, user));
            }

            bad.Add(r.Next);
            batch.Add(r.Member(groups[k % groups.Count], "NOBODY-" + k));
            batches.Add(batch);
        }

        var answers = await SendAllThenReadAsync(t, batches);

        // One answer per batch, in order, then the summary: each names only its own rejection, and the counts run on.
        Assert.Equal(batches.Count + 1, answers.Count);
        long records = 0;
        for (var k = 0; k < batches.Count; k++)
        {
            records += batches[k].Count;
            var rejection = Assert.Single(answers[k].Rejections);
            Assert.Equal(bad[k], rejection.Position);
            Assert.Equal("membership.member_external_id", rejection.Field);
            Assert.Equal(records, answers[k].Counts.Records);
            Assert.Equal(k + 1, answers[k].Counts.Rejected);
            Assert.False(answers[k].Done);
        }

        var summary = answers[^1];
        Assert.True(summary.Done);
        Assert.Equal(new ImportCounts { Records = records, Created = expected.Count, Unchanged = records - expected.Count - batches.Count, Rejected = batches.Count }, summary.Counts);

        // They were applied in fewer steps than batches: each step audits what it may touch before it runs.
        var audit = (await silo.AuditRecordsAsync(t.Id, Operation)).Skip(auditBefore).ToList();
        Assert.InRange(audit.Count, 1, batches.Count - 1);
        Assert.All(audit, a => Assert.Equal("PARTIAL", a.Result));

        // And every membership holds in both directions, and in sign-in.
        var ids = new Dictionary<string, string>();
        foreach (var key in users)
        {
            ids[key] = Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = key })).Users).Id;
        }

        foreach (var key in groups)
        {
            ids[key] = Assert.Single((await t.Groups.ListGroupsAsync(new ListGroupsRequest { ExternalId = key })).Groups).Id;
            var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = ids[key], PageSize = 999 })).Members.Select(m => m.Id);
            Assert.Equal(expected.Where(e => e.Group == key).Select(e => ids[e.User]).Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));
        }

        foreach (var key in users)
        {
            var memberOf = expected.Where(e => e.User == key).Select(e => ids[e.Group]).Order(StringComparer.Ordinal).ToList();
            var listed = (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = ids[key], Type = ObjectType.User } })).GroupIds;
            Assert.Equal(memberOf, listed.Order(StringComparer.Ordinal));
            Assert.Equal(memberOf, (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn(key.ToLowerInvariant()) })).GroupIds.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task UserBatches_SentTogether_AreAppliedInTheirOrder_ThoughTheirNewKeysAreBoundAhead()
    {
        // Batches of users that arrive together have the keys of all their new users bound in one
        // write per bucket before any is applied; the outcome must still be that of the batches
        // applied one after the other, wherever two records meet on one principal name.
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        await t.ImportAsync([r.User("X", "x"), r.User("Z", "z")]);
        var auditBefore = (await silo.AuditRecordsAsync(t.Id, Operation)).Count;
        var batches = new List<List<ImportRecord>>();
        var bad = new List<(long Position, string Field, string Code)>();

        void Batch(params ImportRecord[] records) =>
            batches.Add([.. records, .. Enumerable.Range(0, 3).Select(j => r.User($"P{batches.Count}-{j}"))]);

        ImportRecord Bad(ImportRecord record, string field, string code)
        {
            bad.Add((record.Position, field, code));
            return record;
        }

        Batch(r.User("A", "shared"), r.User("X", "freed"), Bad(r.User("M1", manager: "M2"), "user.manager_external_id", "NOT_FOUND"));
        Batch(Bad(r.User("B", "shared"), "user.user_principal_name", "ALREADY_EXISTS"), r.User("M2", manager: "A"));
        Batch(r.User("C", "x"), r.User("Z", "w"));
        Batch(Bad(r.User("D", "w"), "user.user_principal_name", "ALREADY_EXISTS"));
        Batch(r.User("E", "v"));
        Batch(Bad(r.User("Z", "v"), "user.user_principal_name", "ALREADY_EXISTS"));
        Batch(Bad(r.User("F", configure: u => u.UserPrincipalName = "f@elsewhere.example.org"), "user.user_principal_name", "INVALID_ARGUMENT"));
        Batch(r.User("F", "f"));
        Batch(r.User("G", "g"), r.User("G", "g2"));
        Batch(r.User("H", "g"));

        var answers = await SendAllThenReadAsync(t, batches);

        Assert.Equal(batches.Count + 1, answers.Count);
        Assert.Equal(bad, answers.SelectMany(a => a.Rejections).Select(x => (x.Position, x.Field, x.Code)));
        var padding = batches.Count * 3;
        Assert.Equal(new ImportCounts { Records = batches.Sum(b => b.Count), Created = padding + 7, Updated = 3, Rejected = bad.Count }, answers[^1].Counts);

        // Applied in fewer steps than batches.
        var audit = (await silo.AuditRecordsAsync(t.Id, Operation)).Skip(auditBefore).ToList();
        Assert.InRange(audit.Count, 1, batches.Count - 1);

        // Each name is held by the record that had it last in the batches' order; the rejected ones do not exist.
        var holders = new Dictionary<string, string>
        {
            ["shared"] = "A", ["freed"] = "X", ["x"] = "C", ["w"] = "Z", ["v"] = "E", ["f"] = "F", ["g2"] = "G", ["g"] = "H", ["m2"] = "M2",
        };
        foreach (var (local, externalId) in holders)
        {
            Assert.Equal(externalId, (await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn(local) })).ExternalId);
            await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn(local) });
        }

        foreach (var missing in new[] { "B", "D", "M1" })
        {
            Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = missing })).Users);
        }

        var a = Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "A" })).Users);
        Assert.Equal(a.Id, Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest { ExternalId = "M2" })).Users).ManagerId);
        foreach (var free in new[] { "z", "b", "d" })
        {
            await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn(free) }).ResponseAsync);
        }

        // The external id bound ahead for a record that was rejected is free for the next taker.
        await t.CreateUserAsync("d", u => u.ExternalId = "D");
    }

    /// <summary>Writes every batch and half-closes before reading any answer, so that batches arrive while the first is applied.</summary>
    private static async Task<List<ImportRecordsResponse>> SendAllThenReadAsync(TestTenant t, List<List<ImportRecord>> batches)
    {
        using var call = t.Import.ImportRecords();
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { batch } });
        }

        await call.RequestStream.CompleteAsync();
        var answers = new List<ImportRecordsResponse>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            answers.Add(call.ResponseStream.Current);
        }

        return answers;
    }
}
