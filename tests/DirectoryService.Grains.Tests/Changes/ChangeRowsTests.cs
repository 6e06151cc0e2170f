using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Changes;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DirectoryService.Grains.Tests.Changes;

/// <summary>
/// A batch of change records goes to storage in runs: fewer rows than records, each within Azure's
/// 64 KiB per property, read back in order; rows of earlier versions (a record each) sort and read
/// among them by position.
/// </summary>
public sealed class ChangeRowsTests
{
    private readonly RowCodec _codec = new(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    private static readonly DateTimeOffset At = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    private static ChangeRecord Record(long position, int members) => new(
        position, At, Guid.NewGuid().ToString(),
        [.. Enumerable.Range(0, members).Select(_ => new ObjectRef(Guid.NewGuid().ToString(), ObjectKind.User))]);

    private static string Text(ChangeRecord r) => $"{r.Position} {r.AppendedAt:O} {r.ObjectId} [{string.Join(",", r.Members.Select(m => $"{m.Kind}:{m.Id}"))}]";

    [Fact]
    public void ABatchOfCreates_TakesOneRow()
    {
        var records = Enumerable.Range(1, 99).Select(p => Record(p, 0)).ToList();
        var rows = ChangeRows.Write(records, _codec).ToList();

        Assert.Single(rows);
        Assert.Equal(records.Select(Text), ChangeRows.Read(new Row(rows[0].Key, rows[0].Value!), _codec).Select(Text));
    }

    [Fact]
    public void ABatchOfLargeMemberChanges_IsSplitIntoRowsWithinTheLimit_InOrder()
    {
        // As the feed's largest batch: 2,048 member edges, in notices of up to 256.
        var records = Enumerable.Range(1, 20).Select(p => Record(p, p <= 8 ? ChangeFeeds.MaxMembersPerNotice : 0)).ToList();
        var rows = ChangeRows.Write(records, _codec).ToList();

        Assert.True(rows.Count > 1);
        Assert.All(rows, r => Assert.True(r.Value!.Length < 64 * 1024, $"{r.Key}: {r.Value!.Length} bytes"));
        Assert.Equal(rows.Select(r => r.Key).Order(StringComparer.Ordinal), rows.Select(r => r.Key));
        Assert.Equal(records.Select(Text), rows.SelectMany(r => ChangeRows.Read(new Row(r.Key, r.Value!), _codec)).Select(Text));
    }

    [Fact]
    public void MemberReferences_ArePacked_AndReadBackAsWritten_EvenWhereAnIdIsNoGuid()
    {
        var packed = Record(1, ChangeFeeds.MaxMembersPerNotice);
        var texts = packed with { Position = 2, Members = [new ObjectRef("Not-A-Guid", ObjectKind.Group), new ObjectRef(Guid.NewGuid().ToString("D").ToUpperInvariant(), ObjectKind.User)] };
        var rows = ChangeRows.Write([packed, texts], _codec).ToList();

        Assert.Equal(new[] { packed, texts }.Select(Text), rows.SelectMany(r => ChangeRows.Read(new Row(r.Key, r.Value!), _codec)).Select(Text));
        // 256 references packed: 17 bytes each, where as text they take ~45.
        Assert.True(rows.Sum(r => r.Value!.Length) < ChangeFeeds.MaxMembersPerNotice * 20, $"{rows.Sum(r => r.Value!.Length)} bytes");
    }

    [Fact]
    public void RowsOfEarlierVersions_SortAndReadAmongRuns_ByPosition()
    {
        // An earlier version wrote positions 1..3 a row each; this one 4..6 and 7 in runs.
        var single = Enumerable.Range(1, 3).Select(p => Record(p, 1)).Select(r => new Row(ChangeRows.After(r.Position), _codec.Encode(r)));
        var runs = ChangeRows.Write([Record(4, 0), Record(5, 2), Record(6, 0)], _codec).Concat(ChangeRows.Write([Record(7, 0)], _codec)).Select(w => new Row(w.Key, w.Value!));
        var stored = single.Concat(runs).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();

        Assert.Equal(Enumerable.Range(1, 7).Select(p => (long)p), stored.SelectMany(r => ChangeRows.Read(r, _codec)).Select(r => r.Position));

        // Reading after a position meets the rows holding every later record, and none wholly before it.
        foreach (var after in Enumerable.Range(0, 8))
        {
            var read = stored.Where(r => string.CompareOrdinal(r.Key, ChangeRows.After(after)) > 0)
                .SelectMany(r => ChangeRows.Read(r, _codec)).Select(r => r.Position).Where(p => p > after);
            Assert.Equal(Enumerable.Range(after + 1, 7 - after).Select(p => (long)p), read);
        }
    }
}
