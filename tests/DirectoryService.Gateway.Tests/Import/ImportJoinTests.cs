using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
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
