using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Orleans.Runtime;

namespace DirectoryService.Gateway.Tests.Import;

/// <summary>
/// A re-run of an import whose objects' grains are gone (a nightly HR sync after a restart): the
/// records are compared with the stored states, read a storage partition at a time, and only what
/// differs goes through a grain — with the same answers as through the grains.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ImportRerunTests(SiloFixture silo)
{
    [Fact]
    public async Task A_rerun_with_every_grain_collected_reads_states_a_partition_at_a_time_and_finds_what_changed_since()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] users = [.. Enumerable.Range(0, 300).Select(i => r.User($"R{i}", manager: i > 0 && i % 10 == 0 ? "R0" : ""))];
        ImportRecord[] groups = [.. Enumerable.Range(0, 8).Select(i => r.Group($"RG{i}"))];
        var (rejections, first) = await t.ImportAsync([.. users, .. groups]);
        Assert.Empty(rejections);
        Assert.Equal(308, first.Counts.Created);

        // Since the import: one user soft-deleted, one changed, one group renamed, all through the API.
        var before = await t.UsersByExternalIdAsync("R7", "R8", "R9");
        await t.Users.DeleteUserAsync(new DeleteUserRequest { Id = before["R7"].Id });
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = before["R8"].Id, Department = "Moved" }, UpdateMask = new FieldMask { Paths = { "department" } } });
        var renamed = (await t.GroupsByExternalIdAsync("RG3"))["RG3"];
        await t.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = renamed.Id, DisplayName = "Renamed" }, UpdateMask = new FieldMask { Paths = { "display_name" } } });
        await CollectAsync();

        using var calls = new StorageCallRecorder();
        var (again, second) = await t.ImportAsync([.. users, .. groups]);

        var deleted = Assert.Single(again);
        Assert.Equal((users[7].Position, "user.external_id", "FAILED_PRECONDITION"), (deleted.Position, deleted.Field, deleted.Code));
        Assert.Equal(new ImportCounts { Records = 308, Updated = 2, Unchanged = 305, Rejected = 1 }, second.Counts);
        var after = await t.UsersByExternalIdAsync("R8", "R9");
        Assert.Equal("Sales", after["R8"].Department);
        Assert.Equal(before["R9"].Etag, after["R9"].Etag);
        Assert.Equal("Group RG3", (await t.GroupsByExternalIdAsync("RG3"))["RG3"].DisplayName);

        // 308 objects created together are in 4 partitions (100 to a partition): read a partition at a
        // time, one read each, instead of one activation and read per object. The deleted user and
        // the changed ones go through their grains.
        var import = calls.Under("/directory.v1.Import/ImportRecords");
        var pointReads = import.Count(c => c is { Store: "grain-state", Call: "read" });
        Assert.True(pointReads <= 10, $"{pointReads} point reads of grain state for a re-run of 308 objects");
    }

    [Fact]
    public async Task A_rerun_of_users_groups_nestings_and_memberships_writes_nothing_but_its_audit_record()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] records =
        [
            .. Enumerable.Range(0, 40).Select(i => r.User($"N{i}")),
            .. Enumerable.Range(0, 6).Select(g => r.Group($"NG{g}")),
            .. Enumerable.Range(1, 5).Select(g => r.Member("NG0", $"NG{g}", isGroup: true)),
            .. Enumerable.Range(0, 40).Select(i => r.Member($"NG{1 + (i % 5)}", $"N{i}")),
        ];
        var (rejections, first) = await t.ImportAsync(records);
        Assert.Empty(rejections);
        Assert.Equal(91, first.Counts.Created);

        // Nestings that are there already go through the nesting grain again (a batch with nestings
        // is never tried as unchanged): each used to append a change notice for members it did not
        // change, and on the emulator's disk every write keeps it re-writing its whole database.
        using var calls = new StorageCallRecorder();
        var (again, second) = await t.ImportAsync(records);

        Assert.Empty(again);
        Assert.Equal(new ImportCounts { Records = 91, Unchanged = 91 }, second.Counts);
        var writes = calls.Under("/directory.v1.Import/ImportRecords").Where(c => c.Call == "write" && c.Store != "audit").ToList();
        Assert.True(writes.Count == 0, $"a re-run that changed nothing wrote: {string.Join(", ", writes.GroupBy(w => w.Store).Select(g => $"{g.Key} {g.Count()}"))}");
    }

    [Fact]
    public async Task Records_of_one_user_in_a_rerun_batch_apply_in_order_each_against_what_the_one_before_left()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] users = [.. Enumerable.Range(0, 200).Select(i => r.User($"S{i}"))];
        Assert.Empty((await t.ImportAsync(users)).Rejections);
        var before = (await t.UsersByExternalIdAsync("S5"))["S5"];
        await CollectAsync();

        // The stored state says Sales: the first record moves the user, the second moves it back,
        // which is a change against what the first left, not "unchanged" against what was read.
        var (rejections, last) = await t.ImportAsync([.. users, r.User("S5", configure: u => u.Department = "Away"), r.User("S5")]);

        Assert.Empty(rejections);
        Assert.Equal(new ImportCounts { Records = 202, Updated = 2, Unchanged = 200 }, last.Counts);
        var after = (await t.UsersByExternalIdAsync("S5"))["S5"];
        Assert.Equal("Sales", after.Department);
        Assert.NotEqual(before.Etag, after.Etag);
    }

    [Fact]
    public async Task A_rerun_reads_each_cold_groups_rows_with_one_request_and_adds_what_is_new_exactly()
    {
        var t = await silo.NewTenantAsync();
        var r = new ImportRecordsFactory(t.Domain);
        ImportRecord[] objects = [.. Enumerable.Range(0, 60).Select(i => r.User($"M{i}")), .. Enumerable.Range(0, 6).Select(g => r.Group($"MG{g}"))];
        ImportRecord[] memberships = [.. Enumerable.Range(0, 60).Select(i => r.Member($"MG{i / 10}", $"M{i}"))];
        Assert.Empty((await t.ImportAsync(objects, memberships)).Rejections);
        await CollectAsync();

        // The same import with one membership more: M59 (in MG5) joins MG0 too.
        using var calls = new StorageCallRecorder();
        var (rejections, last) = await t.ImportAsync(objects, [.. memberships, r.Member("MG0", "M59")]);

        Assert.Empty(rejections);
        Assert.Equal(new ImportCounts { Records = 127, Created = 1, Unchanged = 126 }, last.Counts);
        var groups = await t.GroupsByExternalIdAsync("MG0", "MG5");
        var m59 = (await t.UsersByExternalIdAsync("M59"))["M59"];
        Assert.Contains(m59.Id, (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = groups["MG0"].Id })).Members.Select(m => m.Id));
        Assert.Equal(new[] { groups["MG0"].Id, groups["MG5"].Id }.Order(StringComparer.Ordinal), (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("m59") })).GroupIds);

        // Each of the 6 cold groups read its member rows (layout, bucket, owed rows) in one query, not a read each.
        var import = calls.Under("/directory.v1.Import/ImportRecords");
        var rowReads = import.Count(c => c is { Store: "rows", Call: "read" });
        Assert.True(rowReads <= 2, $"{rowReads} point reads of rows for a re-run into 6 cold groups");
    }

    private Task CollectAsync() => silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
}
