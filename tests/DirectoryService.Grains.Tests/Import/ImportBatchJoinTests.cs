using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Import;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Grains.Tests.Import;

public sealed class ImportBatchJoinTests
{
    private long _position;

    [Fact]
    public void Batches_OfOneKindOfRecord_Join()
    {
        Assert.True(Users("U1").Joins(Users("U2", "U1")));
        Assert.True(Groups("G1", "G2").Joins(Groups("G2", "G3")));
        Assert.True(Members(("G1", "U1"), ("G1", "U2")).Joins(Members(("G2", "U1"))));
        Assert.True(Members(("G1", "U1")).Joins(Nesting(("G2", "G1"))));
        Assert.True(Nesting(("G1", "G2")).Joins(Nesting(("G2", "G1"))));
    }

    [Fact]
    public void Batches_WhoseOrderCouldMatter_DoNotJoin()
    {
        // A mixed batch applies its kinds in turn.
        Assert.False(Users("U1").Joins(Groups("G1")));
        Assert.False(Groups("G1").Joins(Members(("G1", "U1"))));
        var mixed = new ImportBatch([], [.. Groups("G9").Groups], [.. Members(("G9", "U9")).Memberships]);
        Assert.False(mixed.Joins(Members(("G9", "U8"))));
        Assert.False(Members(("G9", "U8")).Joins(mixed));
        Assert.False(new ImportBatch([], [], []).Joins(Groups("G1")));
    }

    [Fact]
    public void AJoinedBatch_KeepsItsPartsInOrder_AndTellsEachRecordsPart()
    {
        var first = Members(("G1", "U1"), ("G1", "U2"));
        var second = Members(("G2", "U1"));
        var third = Members(("G1", "U3"), ("G3", "U3"), ("G3", "U4"));

        var joined = first.Join(second).Join(third);

        Assert.Equal(new[] { 2, 1, 3 }, joined.Parts);
        Assert.Equal(3, joined.PartCount);
        Assert.Equal(first.Memberships.Concat(second.Memberships).Concat(third.Memberships), joined.Memberships);
        Assert.Equal(new[] { 0, 0, 1, 2, 2, 2 }, Enumerable.Range(0, joined.Count).Select(joined.PartOf));
        Assert.Throws<ArgumentOutOfRangeException>(() => joined.PartOf(6));
        Assert.Equal(1, first.PartCount);
        Assert.Equal(0, first.PartOf(1));
    }

    [Fact]
    public void AJoinedBatchOfUsers_IsAppliedPartByPart_InOrder()
    {
        // Two users may contend for one principal name: the earlier batch must win, so its part goes first.
        var first = Users("U1", "U2");
        var second = Users("U3");
        var third = Users("U2", "U4", "U5");

        var joined = first.Join(second).Join(third);

        Assert.Equal([[1L, 2L], [3L], [4L, 5L, 6L]], joined.UsersByPart().Select(Positions));
        Assert.Equal([[1L, 2L]], first.UsersByPart().Select(Positions));
        Assert.Equal([[]], Members(("G1", "U1")).Join(Members(("G1", "U2"))).UsersByPart().Select(Positions));
    }

    private static long[] Positions(System.Collections.Immutable.ImmutableArray<ImportedUser> users) => [.. users.Select(u => u.Position)];

    private ImportBatch Users(params string[] keys) =>
        new([.. keys.Select(k => new ImportedUser(++_position, new UserProfile { ExternalId = k, UserPrincipalName = k + "@contoso.com", DisplayName = k }, null))], [], []);

    private ImportBatch Groups(params string[] keys) =>
        new([], [.. keys.Select(k => new ImportedGroup(++_position, new GroupProfile { ExternalId = k, DisplayName = k }))], []);

    private ImportBatch Members(params (string Group, string User)[] pairs) =>
        new([], [], [.. pairs.Select(p => new ImportedMembership(++_position, p.Group, p.User, ObjectKind.User))]);

    private ImportBatch Nesting(params (string Group, string Member)[] pairs) =>
        new([], [], [.. pairs.Select(p => new ImportedMembership(++_position, p.Group, p.Member, ObjectKind.Group))]);
}
