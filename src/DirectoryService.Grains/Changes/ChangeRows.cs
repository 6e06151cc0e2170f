using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Changes;

/// <summary>
/// How a bucket of a change feed stores its records: a batch's records in as few rows as fit, each a
/// run of consecutive records keyed <c>r{last position:x16}s</c>, so a burst of creates (an import)
/// costs a row per ~100 changes instead of one per change — fewer entities for storage to write
/// and to hold (Azurite keeps ~500 bytes beside each). Rows of earlier versions hold one record each,
/// keyed <c>r{position:x16}</c>; both sort by position (a run after a single record of its last
/// position), so a read from <see cref="After"/> meets every record past a position in order.
/// </summary>
public static class ChangeRows
{
    public const string Prefix = "r";
    public const string End = "r~";
    private const string RunSuffix = "s";

    /// <summary>Estimated encoded bytes of a run: kept far below Azure's 64 KiB per property.</summary>
    private const int MaxRunBytes = 32 * 1024;

    /// <summary>The key to read after for the records past <paramref name="position"/> (the rows holding them sort after it).</summary>
    public static string After(long position) => Prefix + Hex(position);

    /// <summary>The rows of a batch of consecutive records: runs of at most <see cref="MaxRunBytes"/>, in order.</summary>
    public static IEnumerable<RowWrite> Write(IReadOnlyList<ChangeRecord> records, RowCodec codec)
    {
        var run = new List<RunRecord>();
        var bytes = 0;
        foreach (var record in records.Select(RunRecord.Of))
        {
            var size = EstimatedBytes(record);
            if (run.Count > 0 && bytes + size > MaxRunBytes)
            {
                yield return Row(run, codec);
                (run, bytes) = ([], 0);
            }

            run.Add(record);
            bytes += size;
        }

        if (run.Count > 0)
        {
            yield return Row(run, codec);
        }
    }

    /// <summary>The records a row holds, in order.</summary>
    public static IReadOnlyList<ChangeRecord> Read(Row row, RowCodec codec) =>
        row.Key.EndsWith(RunSuffix, StringComparison.Ordinal)
            ? [.. codec.Decode<ChangeRecordRun>(row.Value).Records.Select(r => r.ToRecord())]
            : [codec.Decode<ChangeRecord>(row.Value)];

    private static RowWrite Row(List<RunRecord> run, RowCodec codec) =>
        RowWrite.Upsert(Prefix + Hex(run[^1].Position) + RunSuffix, codec.Encode(new ChangeRecordRun([.. run])));

    /// <summary>An upper bound of a record's encoded size: an id of 36 characters, and its members packed, or per member its id and kind as text.</summary>
    private static int EstimatedBytes(RunRecord record) => 96 + (record.PackedMembers?.Length ?? 0) + (record.Members.IsDefault ? 0 : record.Members.Length * 56);

    private static string Hex(long position) => position.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Consecutive records of one batch, stored in one row.</summary>
[GenerateSerializer, Immutable, Alias("ChangeRecordRun")]
public sealed record ChangeRecordRun([property: Id(0)] ImmutableArray<RunRecord> Records);

/// <summary>
/// A record in a run: its member references packed 17 bytes each (<see cref="PackedRefs"/>) when every id is a
/// GUID as the directory mints them — a third of their size as text, and most of a feed's bytes
/// come from the member references of group changes; as they are otherwise.
/// </summary>
[GenerateSerializer, Immutable, Alias("RunRecord")]
public sealed record RunRecord(
    [property: Id(0)] long Position,
    [property: Id(1)] DateTimeOffset AppendedAt,
    [property: Id(2)] string ObjectId,
    [property: Id(3)] byte[]? PackedMembers,
    [property: Id(4)] ImmutableArray<ObjectRef> Members)
{
    public static RunRecord Of(ChangeRecord record) => Pack(record.Members) is { } packed
        ? new(record.Position, record.AppendedAt, record.ObjectId, packed, [])
        : new(record.Position, record.AppendedAt, record.ObjectId, null, record.Members);

    public ChangeRecord ToRecord() => new(Position, AppendedAt, ObjectId, PackedMembers is { } packed ? Unpack(packed) : Members);

    private static byte[]? Pack(ImmutableArray<ObjectRef> members)
    {
        if (members.IsDefaultOrEmpty || !members.All(PackedRefs.Packs))
        {
            return null;
        }

        var bytes = new byte[members.Length * PackedRefs.Size];
        for (var i = 0; i < members.Length; i++)
        {
            PackedRefs.Write(bytes.AsSpan(i * PackedRefs.Size), members[i]);
        }

        return bytes;
    }

    private static ImmutableArray<ObjectRef> Unpack(byte[] packed)
    {
        var members = ImmutableArray.CreateBuilder<ObjectRef>(packed.Length / PackedRefs.Size);
        for (var i = 0; i + PackedRefs.Size <= packed.Length; i += PackedRefs.Size)
        {
            members.Add(PackedRefs.Read(packed.AsSpan(i)));
        }

        return members.MoveToImmutable();
    }
}
