using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Import;

[Collection(SiloCollection.Name)]
public sealed class ImportTests(SiloFixture silo)
{
    [Fact]
    public async Task Import_IntoAnEmptyTenant_CreatesEverything_AndEveryReadSeesIt()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);

        // Managers named before and after their reports, in the same batch and across batches.
        var (rejections, last) = await t.ImportAsync(
            [r.User("E1"), r.User("E2", manager: "E1"), r.User("E3", manager: "E4"), r.User("E4", manager: "E1"), r.Group("G1"), r.Group("G2")],
            [r.User("E5", manager: "E3"), r.Member("G1", "E1"), r.Member("G1", "E2"), r.Member("G2", "E3"), r.Member("G1", "G2", isGroup: true), r.Member("G2", "E5")]);

        Assert.Empty(rejections);
        Assert.Equal(new ImportCounts { Records = 12, Created = 12 }, last.Counts);

        var users = await t.UsersByExternalIdAsync("E1", "E2", "E3", "E4", "E5");
        Assert.Equal(users["E1"].Id, users["E2"].ManagerId);
        Assert.Equal(users["E4"].Id, users["E3"].ManagerId);
        Assert.Equal(users["E3"].Id, users["E5"].ManagerId);
        Assert.Equal("Sales", users["E2"].Department);
        Assert.Equal("E-E2", users["E2"].EmployeeId);
        Assert.True(users["E2"].AccountEnabled);
        var groups = await t.GroupsByExternalIdAsync("G1", "G2");

        var g1Members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = groups["G1"].Id })).Members.Select(m => m.Id);
        Assert.Equal(new[] { users["E1"].Id, users["E2"].Id, groups["G2"].Id }.Order(StringComparer.Ordinal), g1Members);
        Assert.Equal([groups["G2"].Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = users["E5"].Id, Type = ObjectType.User } })).GroupIds);

        var signIn = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("e5") });
        Assert.Equal(users["E5"].Id, signIn.UserId);
        Assert.Equal(new[] { groups["G1"].Id, groups["G2"].Id }.Order(StringComparer.Ordinal), signIn.GroupIds);

        var audit = await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords");
        Assert.All(audit, a => Assert.Equal("OK", a.Result));
        Assert.All(audit, a => Assert.NotEmpty(a.App));
        var audited = audit.SelectMany(a => a.TargetIds).ToHashSet();
        Assert.Superset(audited, users.Values.Select(u => u.Id).Concat(groups.Values.Select(g => g.Id)).ToHashSet());
    }

    [Fact]
    public async Task Import_IntoAPopulatedTenant_UpdatesWhatDiffers_AndRunningItAgainChangesNothing()
    {
        var t = await silo.NewTenantAsync();
        var alice = await t.CreateUserAsync("alice", u => { u.ExternalId = "HR-1"; u.Department = "Sales"; u.GivenName = "Alice"; });
        var bob = await t.CreateUserAsync("bob", u => u.ExternalId = "HR-2");
        var team = await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "Team", ExternalId = "T-1", SecurityEnabled = true } });
        await t.AddAsync(team, alice);
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] import =
        [
            r.User("HR-1", "alice", configure: u => { u.DisplayName = alice.DisplayName; u.GivenName = "Alice"; u.Department = "Marketing"; u.Surname = ""; u.JobTitle = ""; u.EmployeeId = ""; }),
            r.User("HR-2", "bob", configure: u => { u.DisplayName = bob.DisplayName; u.GivenName = ""; u.Surname = ""; u.Department = ""; u.JobTitle = ""; u.EmployeeId = ""; }),
            r.User("HR-3", "carol", manager: "HR-1"),
            r.Group("T-1", g => { g.DisplayName = "Team"; g.Description = ""; }),
            r.Member("T-1", "HR-1"), r.Member("T-1", "HR-2"), r.Member("T-1", "HR-3"),
        ];

        var (rejections, first) = await t.ImportAsync(import);
        Assert.Empty(rejections);
        Assert.Equal(new ImportCounts { Records = 7, Created = 3, Updated = 1, Unchanged = 3 }, first.Counts);

        var users = await t.UsersByExternalIdAsync("HR-1", "HR-2", "HR-3");
        Assert.Equal(alice.Id, users["HR-1"].Id);
        Assert.Equal("Marketing", users["HR-1"].Department);
        Assert.Equal(bob.Etag, users["HR-2"].Etag);
        Assert.Equal(alice.Id, users["HR-3"].ManagerId);
        var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = team.Id })).Members.Select(m => m.Id).ToHashSet();
        Assert.Equal(users.Values.Select(u => u.Id).ToHashSet(), members);
        Assert.Equal([team.Id], (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("carol") })).GroupIds);

        var auditBefore = (await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords")).Count;
        var (again, second) = await t.ImportAsync(import);
        Assert.Empty(again);
        Assert.Equal(new ImportCounts { Records = 7, Unchanged = 7 }, second.Counts);
        var after = await t.UsersByExternalIdAsync("HR-1", "HR-2", "HR-3");
        Assert.All(users.Keys, k => Assert.Equal(users[k].Etag, after[k].Etag));
        // A re-run that changes nothing writes one record, at its end: who ran it and how it ended.
        var rerun = Assert.Single((await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords")).Skip(auditBefore));
        Assert.Equal("OK", rerun.Result);
        Assert.NotEmpty(rerun.App);
        Assert.Empty(rerun.TargetIds);
    }

    [Fact]
    public async Task Import_OfABatchNamingMoreIdsThanOneAuditRecordHolds_StoresAndSettlesEveryRecordOfIt()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        var keys = Enumerable.Range(0, 1000).Select(i => "BIG-" + i).ToArray();

        var (rejections, last) = await t.ImportAsync([.. keys.Select(k => r.User(k))]);

        Assert.Empty(rejections);
        Assert.Equal(1000, last.Counts.Created);
        // The batch's records were stored side by side; each is settled, within its size, and together they name every user.
        var audit = await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords");
        Assert.True(audit.Count >= 1000 / DirectoryService.Gateway.Import.ImportService.TargetsPerAuditRecord, $"{audit.Count} records");
        Assert.All(audit, a => Assert.Equal("OK", a.Result));
        Assert.All(audit, a => Assert.InRange(a.TargetIds.Count, 0, DirectoryService.Gateway.Import.ImportService.TargetsPerAuditRecord));
        var users = await t.UsersByExternalIdAsync(keys);
        Assert.Superset(audit.SelectMany(a => a.TargetIds).ToHashSet(), users.Values.Select(u => u.Id).ToHashSet());
    }

    [Fact]
    public async Task Import_AfterBatchesThatChangeNothing_AuditsAndAppliesTheBatchThatDoes()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] people = [r.User("P-1"), r.User("P-2"), r.User("P-3"), r.Group("TEAM")];
        var (rejections, _) = await t.ImportAsync(people, [r.Member("TEAM", "P-1")]);
        Assert.Empty(rejections);
        var users = await t.UsersByExternalIdAsync("P-1", "P-2", "P-3");
        var team = (await t.GroupsByExternalIdAsync("TEAM"))["TEAM"];
        var auditBefore = (await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords")).Count;

        // The same objects (unchanged), then a batch with one membership there and one new, then one that changes a user.
        var (again, last) = await t.ImportAsync(
            people,
            [r.Member("TEAM", "P-1"), r.Member("TEAM", "P-2")],
            [r.User("P-3", configure: u => u.Department = "Research")]);

        Assert.Empty(again);
        Assert.Equal(new ImportCounts { Records = 7, Created = 1, Updated = 1, Unchanged = 5 }, last.Counts);
        var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = team.Id })).Members.Select(m => m.Id);
        Assert.Equal(new[] { users["P-1"].Id, users["P-2"].Id }.Order(StringComparer.Ordinal), members);
        Assert.Equal([team.Id], (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("p-2") })).GroupIds);
        Assert.Equal("Research", (await t.UsersByExternalIdAsync("P-3"))["P-3"].Department);

        // The batches that changed something are audited with what they changed; the import ends with one record.
        var rerun = (await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords")).Skip(auditBefore).ToList();
        Assert.All(rerun, a => Assert.Equal("OK", a.Result));
        Assert.Equal(new[] { team.Id, users["P-2"].Id, users["P-3"].Id }.ToHashSet(), rerun.SelectMany(a => a.TargetIds).ToHashSet());
        Assert.Single(rerun, a => a.TargetIds.Count == 0);
    }

    [Fact]
    public async Task Import_RejectsEachBadRecord_WithItsPositionAndField_AndAppliesTheRest()
    {
        var t = await silo.NewTenantAsync();
        await t.CreateUserAsync("taken", u => u.ExternalId = "OTHER");
        var gone = await t.CreateUserAsync("gone", u => u.ExternalId = "GONE");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = gone.Id });
        var r = new ImportRecordsFactory(t.Domain);
        var expected = new List<(long Position, string Field, string Code)>();
        var records = new List<ImportRecord>();

        void Bad(ImportRecord record, string field, string code)
        {
            records.Add(record);
            expected.Add((record.Position, field, code));
        }

        records.Add(r.User("OK-1"));
        Bad(r.User("", "noid"), "user.external_id", "INVALID_ARGUMENT");
        Bad(r.User("BAD-UPN", "two@ats"), "user.user_principal_name", "INVALID_ARGUMENT");
        Bad(r.User("FOREIGN", configure: u => u.UserPrincipalName = "x@elsewhere.example.org"), "user.user_principal_name", "INVALID_ARGUMENT");
        Bad(r.User("DUP-UPN", "taken"), "user.user_principal_name", "ALREADY_EXISTS");
        Bad(r.User("LONG", configure: u => u.DisplayName = new string('x', 257)), "user.display_name", "INVALID_ARGUMENT");
        Bad(r.User("NOBOSS", manager: "NOBODY"), "user.manager_external_id", "NOT_FOUND");
        Bad(r.User("SELF", manager: "SELF"), "user.manager_external_id", "INVALID_ARGUMENT");
        Bad(r.User("GONE", "gone2"), "user.external_id", "FAILED_PRECONDITION");
        Bad(r.User("MAIL", configure: u => u.Mail = "not-an-address"), "user.mail", "INVALID_ARGUMENT");
        records.Add(r.Group("GA"));
        records.Add(r.Group("GB"));
        Bad(r.Group("GNONAME", g => g.DisplayName = ""), "group.display_name", "INVALID_ARGUMENT");
        Bad(r.Group(""), "group.external_id", "INVALID_ARGUMENT");
        records.Add(r.Member("GA", "GB", isGroup: true));
        Bad(r.Member("GNONE", "OK-1"), "membership.group_external_id", "NOT_FOUND");
        Bad(r.Member("GA", "NOONE"), "membership.member_external_id", "NOT_FOUND");
        Bad(r.Member("GA", ""), "membership.member_external_id", "INVALID_ARGUMENT");
        Bad(r.Member("GA", "OK-1", isGroup: true), "membership.member_external_id", "NOT_FOUND");
        records.Add(r.Member("GA", "OK-1"));
        Bad(new ImportRecord { Position = r.Next }, "record", "INVALID_ARGUMENT");

        // The cycle is refused in a second batch, after GB joined GA in the first.
        var cycle = r.Member("GB", "GA", isGroup: true);
        var (rejections, last) = await t.ImportAsync(records, [cycle]);
        expected.Add((cycle.Position, "membership.member_external_id", "FAILED_PRECONDITION"));

        Assert.Equal(expected.OrderBy(e => e.Position), rejections.Select(x => (x.Position, x.Field, x.Code)).OrderBy(e => e.Position));
        Assert.All(rejections, x => Assert.StartsWith(x.Field + ": ", x.Message));
        Assert.Equal(new ImportCounts { Records = records.Count + 1, Created = 5, Rejected = expected.Count }, last.Counts);

        // Nothing of a rejected record exists; the good ones do.
        foreach (var upn in new[] { "noid", "dup-upn", "long", "noboss", "self", "gone2", "mail" })
        {
            await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn(upn) }).ResponseAsync);
        }

        Assert.Empty((await t.Groups.ListGroupsAsync(new ListGroupsRequest { DisplayNamePrefix = "Group GNONAME" })).Groups);
        var ok = (await t.UsersByExternalIdAsync("OK-1"))["OK-1"];
        var ga = (await t.GroupsByExternalIdAsync("GA"))["GA"];
        var gb = (await t.GroupsByExternalIdAsync("GB"))["GB"];
        Assert.Equal(new[] { ga.Id }, (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = ok.Id, Type = ObjectType.User } })).GroupIds);
        Assert.Empty((await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = ga.Id, Type = ObjectType.Group } })).GroupIds);
        Assert.Equal([ga.Id], (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = gb.Id, Type = ObjectType.Group } })).GroupIds);
        Assert.Contains(await silo.AuditRecordsAsync(t.Id, "/directory.v1.Import/ImportRecords"), a => a.Result == "PARTIAL");
    }

    [Fact]
    public async Task MembershipChangesMadeWhileAnImportIsOpen_AgreeInBothDirections_AfterItCompletes()
    {
        // The group hands its new members' "member of" updates over to the import, which applies them
        // in bulk when the stream completes: changes made through the API in between must win.
        var t = await silo.NewTenantAsync();
        using var call = await ImportRecordsFactory.OpenWithThreeMembersAsync(t);
        Assert.Equal(3, call.ResponseStream.Current.Counts.Created - 4);

        var users = await t.UsersByExternalIdAsync("A", "B", "C");
        var group = (await t.GroupsByExternalIdAsync("G"))["G"];

        // The handover is open: C's side of its membership waits for the import to complete (this is the window the test is about).
        Assert.Empty((await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = users["C"].Id, Type = ObjectType.User } })).GroupIds);
        await t.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = new DirectoryObjectRef { Id = users["A"].Id, Type = ObjectType.User } });
        Assert.Empty((await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = users["A"].Id, Type = ObjectType.User } })).GroupIds);
        await t.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = new DirectoryObjectRef { Id = users["B"].Id, Type = ObjectType.User } });
        await t.Members.AddMembersAsync(new AddMembersRequest { GroupId = group.Id, Members = { new DirectoryObjectRef { Id = users["B"].Id, Type = ObjectType.User } } });

        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(call.ResponseStream.Current.Done);

        var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id })).Members.Select(m => m.Id).ToHashSet();
        Assert.Equal(new[] { users["B"].Id, users["C"].Id }.ToHashSet(), members);
        foreach (var (key, user) in users)
        {
            var of = (await t.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = user.Id, Type = ObjectType.User } })).GroupIds;
            Assert.Equal(members.Contains(user.Id) ? [group.Id] : Array.Empty<string>(), of);
            var signIn = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName });
            Assert.Equal(members.Contains(user.Id) ? [group.Id] : Array.Empty<string>(), signIn.GroupIds);
        }
    }

    [Fact]
    public async Task AnImportsMembers_SignInWithTheirGroups_OnceItIsDone()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] users = [.. Enumerable.Range(0, 300).Select(i => r.User("P" + i))];
        ImportRecord[] groups = [.. Enumerable.Range(0, 4).Select(g => r.Group("Q" + g))];
        ImportRecord[] memberships = [.. Enumerable.Range(0, 4).SelectMany(g => Enumerable.Range(0, 300).Where(i => i % (g + 1) == 0).Select(i => r.Member("Q" + g, "P" + i)))];

        var (rejections, last) = await t.ImportAsync(users, groups, memberships.Take(500), memberships.Skip(500));

        Assert.Empty(rejections);
        var ids = await t.GroupsByExternalIdAsync("Q0", "Q1", "Q2", "Q3");
        foreach (var i in new[] { 0, 1, 6, 7, 12, 299 })
        {
            var expected = Enumerable.Range(0, 4).Where(g => i % (g + 1) == 0).Select(g => ids["Q" + g].Id).Order(StringComparer.Ordinal);
            var signIn = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("p" + i) });
            Assert.Equal(expected, signIn.GroupIds);
        }
    }

    [Fact]
    public async Task TheCounts_CoverTheWholeImport_WhenALaterBatchHoldsOnlyEmptyRecords()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);

        var (rejections, last) = await t.ImportAsync([r.User("K1"), r.User("K2")], [new ImportRecord { Position = r.Next }]);

        Assert.Equal(["record"], rejections.Select(x => x.Field));
        Assert.Equal(new ImportCounts { Records = 3, Created = 2, Rejected = 1 }, last.Counts);
    }

    [Fact]
    public async Task Import_ManagersInARing_AreAllCreatedAndLinked()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);

        var (rejections, last) = await t.ImportAsync([r.User("A", manager: "C"), r.User("B", manager: "A"), r.User("C", manager: "B")]);

        Assert.Empty(rejections);
        Assert.Equal(new ImportCounts { Records = 3, Created = 3 }, last.Counts);
        var users = await t.UsersByExternalIdAsync("A", "B", "C");
        Assert.Equal(users["C"].Id, users["A"].ManagerId);
        Assert.Equal(users["A"].Id, users["B"].ManagerId);
        Assert.Equal(users["B"].Id, users["C"].ManagerId);
    }

    [Fact]
    public async Task Import_OnlyEverTouchesTheCallersTenant()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var bUser = await b.CreateUserAsync("shared", u => u.ExternalId = "SAME");
        var bGroup = await b.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "B group", ExternalId = "BG", SecurityEnabled = true } });
        var r = new ImportRecordsFactory(a.Domain);

        var (rejections, last) = await a.ImportAsync([r.User("SAME", "shared"), r.Member("BG", "SAME"), r.User("X", configure: u => u.UserPrincipalName = b.Upn("x"))]);

        Assert.Equal(["membership.group_external_id", "user.user_principal_name"], rejections.Select(x => x.Field).Order());
        Assert.Equal(1, last.Counts.Created);
        var inA = (await a.UsersByExternalIdAsync("SAME"))["SAME"];
        Assert.NotEqual(bUser.Id, inA.Id);
        var stillB = await b.Users.GetUserAsync(new GetUserRequest { Id = bUser.Id });
        Assert.Equal(bUser.Etag, stillB.Etag);
        Assert.Empty((await b.Members.ListMembersAsync(new ListMembersRequest { GroupId = bGroup.Id })).Members);
    }

    [Fact]
    public async Task Import_NeedsReadWrite_AndRefusesOversizedBatches()
    {
        var t = await silo.NewTenantAsync();
        var reader = new V1.Import.ImportClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.DirectoryRead)));
        var r = new ImportRecordsFactory(t.Domain);

        await RpcAssert.Fails(StatusCode.PermissionDenied, null, async () =>
        {
            using var call = reader.ImportRecords();
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.User("P") } });
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        await RpcAssert.Fails(StatusCode.InvalidArgument, "records", () => t.ImportAsync(Enumerable.Range(0, 1001).Select(i => r.User("U" + i))));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "records", () => t.ImportAsync(Array.Empty<ImportRecord>()));
        await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("p") }).ResponseAsync);
    }
}
